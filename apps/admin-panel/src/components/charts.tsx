'use client';
/**
 * The dashboard's charts (recharts). Amounts stay integer cents all the way: axes and tooltips
 * format them with the exact money formatter, never through dollars as floats.
 */
import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatUsd } from '@lana/shared/money';

const COLORS = { in: '#15803d', out: '#b91c1c', series: ['#1d4ed8', '#b45309', '#6d28d9', '#0f766e', '#be123c', '#4b5563'] };

/** Whole dollars for an axis label. */
function compactUsd(cents: number): string {
  return formatUsd(cents - (cents % 100)).replace(/\.00$/, '');
}

export interface DayFlow {
  day: string;
  deposits: number;
  withdrawals: number;
}

/** Deposits and withdrawals per day, in cents. */
export function FlowChart({ days }: { days: DayFlow[] }) {
  return (
    <div className="chart" role="img" aria-label="Deposits and withdrawals per day">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={days} margin={{ top: 8, right: 8, left: 24, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={12} />
          <YAxis tickFormatter={compactUsd} fontSize={12} width={80} />
          <Tooltip formatter={(value) => formatUsd(Number(value))} />
          <Legend />
          <Bar dataKey="deposits" name="Deposits" fill={COLORS.in} />
          <Bar dataKey="withdrawals" name="Withdrawals" fill={COLORS.out} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface Slice {
  name: string;
  value: number;
}

/** Parts of a whole, e.g. balances by account status (cents) or facilities by status (counts). */
export function ShareChart({ label, slices, money }: { label: string; slices: Slice[]; money: boolean }) {
  const shown = slices.filter((s) => s.value > 0);
  return (
    <div className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <PieChart>
          <Pie data={shown} dataKey="value" nameKey="name" innerRadius="45%" outerRadius="75%" paddingAngle={shown.length > 1 ? 2 : 0} isAnimationActive={false}>
            {shown.map((s, i) => (
              <Cell key={s.name} fill={COLORS.series[i % COLORS.series.length]} />
            ))}
          </Pie>
          <Tooltip formatter={(value) => (money ? formatUsd(Number(value)) : String(value))} />
          <Legend />
        </PieChart>
      </ResponsiveContainer>
    </div>
  );
}
