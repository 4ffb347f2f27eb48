/** Tests use the same throw-away certificate the embedded proxy makes for itself. */
export { makeSelfSignedCertificate as makeTestCertificate, type SelfSignedCertificate as TestCertificate } from '../../src/util/self-signed-cert.js';
