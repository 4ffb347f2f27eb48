import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HepWriter, type HepTarget } from '../capture/hep-writer.js';
import { renderJunit } from '../capture/junit-writer.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { readOriginalCaptures } from '../capture/original-capture.js';
import { renderReport } from '../capture/report.js';
import type { EventStream } from '../events/event-stream.js';
import { JsonlWriter } from '../events/jsonl-writer.js';
import type { SipbotsEvent } from '../events/types.js';
import type { RunSummary } from '../scenario/result-types.js';

export interface RunOutputOptions {
  lang: 'en' | 'zh';
  /** Also send every SIP message live to this HEPv3 collector (Homer, sngrep). */
  hep?: HepTarget;
}

/**
 * The files of a run folder. The message log and the capture are appended while the run goes
 * (a crash leaves them readable up to the crash); the summary, JUnit and report are written at
 * the end from the same events.
 */
export class RunOutputs {
  private readonly jsonl: JsonlWriter;
  private readonly pcapng: PcapngWriter;
  private readonly hep: HepWriter | undefined;
  private readonly kept: SipbotsEvent[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    readonly dir: string,
    events: EventStream,
    private readonly options: RunOutputOptions,
  ) {
    // RTP packets go to the capture only: as JSON lines they would drown the SIP log.
    this.jsonl = new JsonlWriter(join(dir, 'messages.jsonl'), events, (e) => e.type !== 'rtp');
    this.pcapng = new PcapngWriter(join(dir, 'signaling.pcapng'), events);
    this.hep = options.hep ? new HepWriter(options.hep, events) : undefined;
    this.unsubscribe = events.subscribe((event) => {
      if (event.type !== 'rtp') this.kept.push(event);
    });
  }

  /** Everything but RTP, for reports. */
  get events(): readonly SipbotsEvent[] {
    return this.kept;
  }

  async finish(summary: RunSummary): Promise<void> {
    this.unsubscribe();
    await Promise.all([this.jsonl.close(), this.pcapng.close()]);
    await writeFile(join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    await writeFile(join(this.dir, 'junit.xml'), renderJunit(summary));
    const originals = await readOriginalCaptures(summary.cases);
    const report = renderReport(summary, this.kept, { lang: this.options.lang, originals });
    await writeFile(join(this.dir, 'report.html'), report.html);
    await writeFile(join(this.dir, 'report.md'), report.md);
    // Last: a collector that failed must not cost the run folder its report.
    await this.hep?.close();
  }
}
