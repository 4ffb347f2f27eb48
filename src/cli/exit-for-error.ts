import { RegistrationError, ServerUnreachableError, TlsHandshakeError } from '../bot/errors.js';
import { CaptureFormatError } from '../capture/capture-errors.js';
import { HepTargetError } from '../capture/hep-writer.js';
import { ConfigError } from '../config/config-error.js';
import { EmbeddedProxyCaseError, UnknownCaseError } from '../lab/lab-cases.js';
import { RunFolderError } from '../lab/run-folder.js';
import { ServerUriError } from '../sip/server-uri.js';
import { TransportError } from '../sip/transport/types.js';
import { UsersFileErrors } from '../proxy/users.js';
import { CaptureScenarioError } from '../scenario/from-capture/captured-call.js';
import { InputFileError } from '../util/input-file.js';
import { InterruptedError } from './commands/command-context.js';
import { ExitCode } from './exit-codes.js';

/** Which exit code a failure means, by its type: the contract scripts rely on. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ConfigError || error instanceof CaptureFormatError || error instanceof HepTargetError || error instanceof RunFolderError || error instanceof UnknownCaseError || error instanceof EmbeddedProxyCaseError || error instanceof ServerUriError || error instanceof InputFileError || error instanceof UsersFileErrors || error instanceof CaptureScenarioError) return ExitCode.Usage;
  if (error instanceof InterruptedError) return ExitCode.Interrupted;
  if (error instanceof RegistrationError || error instanceof ServerUnreachableError || error instanceof TlsHandshakeError || error instanceof TransportError) return ExitCode.Unreachable;
  return ExitCode.Failed;
}
