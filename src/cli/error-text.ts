import { RegistrationError, ServerUnreachableError, TlsHandshakeError } from '../bot/errors.js';
import { HepTargetError } from '../capture/hep-writer.js';
import { readReason } from '../config/problem-text.js';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import { EmbeddedProxyCaseError, UnknownCaseError } from '../lab/lab-cases.js';
import { RunFolderError } from '../lab/run-folder.js';
import { ServerUriError } from '../sip/server-uri.js';
import { formatEndpoint, TransportError } from '../sip/transport/types.js';
import { InputFileError } from '../util/input-file.js';
import type { CliLang } from './cli-lang.js';

/** The stderr line(s) of a failed command, `sipbots: …`, in the reader's language. */
export function errorText(error: unknown, lang: CliLang): string {
  const message = error instanceof Error ? error.message : String(error);
  if (lang === 'en') return `sipbots: ${message}`;
  return `sipbots：${zhMessage(error) ?? message}`;
}

/** The warning `--insecure` prints before anything is sent. */
export function insecureWarning(lang: CliLang): string {
  return lang === 'zh' ? '警告：--insecure：不验证服务器证书\n' : 'warning: --insecure: the server certificate is not verified\n';
}

function zhMessage(error: unknown): string | undefined {
  if (error instanceof RegistrationError) {
    const hint = error.status === 401 || error.status === 403 ? '（请检查用户名、认证用户名和密码）' : '';
    return `${error.bot}（${error.aor}）无法注册：${error.status} ${error.reason}${hint}`;
  }
  if (error instanceof TlsHandshakeError) return `${error.bot} 无法注册：与 ${error.server} 的 TLS 握手失败：${error.detail}；用 --ca FILE 信任服务器的 CA（或其自签名证书），或用 --insecure 跳过验证`;
  if (error instanceof ServerUnreachableError) return `${Math.round(error.afterMs / 100) / 10} 秒内 ${error.server}（${error.transport}）没有应答`;
  if (error instanceof UnknownCaseError) return `没有这个实验用例：${error.ids.join(', ')}（提示：可选 ${error.message.replace(/^.*choose from /, '').replace(/\)$/, '')}）`;
  if (error instanceof EmbeddedProxyCaseError) return `实验用例 ${error.id} 不能对 --server 运行：${error.reason.zh}（提示：去掉 --server 运行）`;
  if (error instanceof RunFolderError) return `运行目录不可用：${error.zh}`;
  if (error instanceof ServerUriError) return `服务器 ${JSON.stringify(error.uri)} 无效：${error.zhReason}（提示：sip:127.0.0.1:5060;transport=tcp，或用 sip:example.com 经 DNS 定位）`;
  if (error instanceof HepTargetError) return `--hep ${error.value} 不是 udp:HOST:PORT 的形式（提示：本机的 Homer 或 sngrep -L 用 --hep udp:127.0.0.1:9060）`;
  if (error instanceof InputFileError) return `${error.file}：${readReason(error).zh}`;
  if (error instanceof ConfigError) return `配置有误：\n${error.problems.map(zhProblem).join('\n')}`;
  if (error instanceof TransportError && error.local !== undefined) return `传输错误（${error.protocol}）：无法在 ${formatEndpoint(error.local)} 上监听${codeOf(error.cause)}`;
  if (error instanceof TransportError) return `传输错误（${error.protocol}）：${error.message}`;
  return undefined;
}

/** The errno code of a system error (`（EADDRNOTAVAIL）`), the part of its text that needs no translation. */
function codeOf(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? '' : `（${code}）`;
}

function zhProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const path = problem.path === '' ? '' : `${problem.path}：`;
  const hint = problem.zh.hint === undefined ? '' : `（提示：${problem.zh.hint}）`;
  return `${where}：${path}${problem.zh.message}${hint}`;
}
