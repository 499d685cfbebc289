'use client';
/** A deposit account's ledger history, as both APIs return it (`HistoryEntry`). */
import Link from 'next/link';
import { Usd, When, humanize } from './components';

export interface HistoryEntryView {
  kind: string;
  entityId?: string | null;
  amountIn: number;
  amountOut: number;
  pending: boolean;
  effective: string;
  recordedAt: string;
}

/** "Withdrawal hold — amount held": what an entry did, saying what a pending entry means. */
function describe(e: HistoryEntryView): string {
  if (!e.pending) return humanize(e.kind);
  return `${humanize(e.kind)} — ${e.amountIn ? 'hold released' : 'amount held'}`;
}

export function HistoryTable<E extends HistoryEntryView>({ entries, hrefFor }: { entries: E[]; hrefFor?: (entry: E) => string | null }) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label="Account history">
        <thead>
          <tr>
            <th>What</th>
            <th className="num">In</th>
            <th className="num">Out</th>
            <th>Layer</th>
            <th>Effective</th>
            <th>Recorded</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e, i) => {
            const href = hrefFor?.(e);
            return (
              <tr key={`${e.recordedAt}-${i}`}>
                <td>{href ? <Link href={href}>{describe(e)}</Link> : describe(e)}</td>
                <td className="num">{e.amountIn ? <Usd cents={e.amountIn} /> : null}</td>
                <td className="num">{e.amountOut ? <Usd cents={e.amountOut} /> : null}</td>
                <td>{e.pending ? 'Pending (hold)' : 'Settled'}</td>
                <td>{e.effective}</td>
                <td>
                  <When at={e.recordedAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
