/**
 * The errors `Bot.register()` rejects with. They arise in the SIP layer (src/sip/ua), which
 * sends the REGISTERs; callers of `Bot` (the CLI's exit codes) find them here.
 */
export { RegistrationError, ServerUnreachableError, TlsHandshakeError } from '../sip/ua/registration-errors.js';
