import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PcapngWriter } from '../../capture/pcapng-writer.js';
import { EventStream } from '../../events/event-stream.js';
import { JsonlWriter } from '../../events/jsonl-writer.js';
import { sipMessageEvent } from '../../sip/message/message-event.js';
import { createRunFolder } from '../../lab/run-folder.js';
import type { LoadResult } from '../results/load-result.js';
import { renderLoadErrorJunit, renderLoadJunit } from './load-report.js';
import type { WireBatch, WireLinkInfo } from '../engine/wire-tap.js';

/** What summary.json holds when the load could not run at all. */
export interface LoadErrorSummary {
  startedAt: string;
  passed: false;
  error: { type: string; message: string };
  exitCode: number;
}

/**
 * The run folder of `sipbots load --capture`: wire batches from the engines (this thread's or
 * the workers') become the same SIP message and RTP packet events the lab path records, and
 * the lab's writers turn them into messages.jsonl and signaling.pcapng (one frame per RTP
 * packet, both legs' copies merged as for the bots), appended as they come (a crash
 * leaves both readable up to the crash). summary.json (the load result) and junit.xml are
 * written at the end. Only this thread writes files.
 */
export class LoadCapture {
  readonly events = new EventStream();
  private readonly jsonl: JsonlWriter;
  private readonly pcapng: PcapngWriter;
  /** Links by `source/id`: each engine numbers its own links. */
  private readonly links = new Map<string, WireLinkInfo>();
  private messageCount = 0;

  private constructor(readonly dir: string) {
    this.jsonl = new JsonlWriter(join(dir, 'messages.jsonl'), this.events);
    // Which calls' RTP is recorded is decided by --capture-rtp at the source, not by a time window here.
    this.pcapng = new PcapngWriter(join(dir, 'signaling.pcapng'), this.events, { application: 'sipbots load', rtpSeconds: Infinity });
  }

  /** A fresh folder: `out`, or runs/<timestamp>; never one that already holds a run. */
  static async open(out: string | undefined, force = false): Promise<LoadCapture> {
    return new LoadCapture(await createRunFolder(out, { option: '--capture', force }));
  }

  /** SIP messages recorded so far. */
  get messages(): number {
    return this.messageCount;
  }

  accept(batch: WireBatch, source: number): void {
    for (const link of batch.links) this.links.set(`${source}/${link.id}`, link);
    for (const record of batch.records) {
      const link = this.links.get(`${source}/${record.link}`);
      if (!link) throw new Error(`wire record of unknown link ${source}/${record.link}`);
      const flow = { id: `${link.protocol}:${link.party}`, protocol: link.protocol, local: link.local, remote: link.remote };
      this.events.emit(sipMessageEvent(link.party, record.out ? 'out' : 'in', record.raw, flow, record.at));
      this.messageCount++;
    }
    for (const r of batch.rtp) {
      this.events.emit({ type: 'rtp', at: r.at, party: r.party, direction: r.out ? 'out' : 'in', local: r.local, remote: r.remote, bytes: r.bytes, rtcp: false });
    }
  }

  /** A line in messages.jsonl saying what happened to the run (interrupted, server stopped). */
  note(message: string): void {
    this.events.emit({ type: 'note', at: Date.now(), party: 'load', message });
  }

  async finish(result: LoadResult): Promise<void> {
    await this.close();
    await writeFile(join(this.dir, 'summary.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(join(this.dir, 'junit.xml'), renderLoadJunit(result));
  }

  /** The load never got going: the messages so far, and the error as summary and JUnit. */
  async fail(summary: LoadErrorSummary): Promise<void> {
    this.note(summary.error.message);
    await this.close();
    await writeFile(join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    await writeFile(join(this.dir, 'junit.xml'), renderLoadErrorJunit(summary.error, summary.startedAt));
  }

  private async close(): Promise<void> {
    await Promise.all([this.jsonl.close(), this.pcapng.close()]);
  }
}
