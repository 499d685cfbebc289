'use client';
import { useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Card, Empty, ErrorNotice, Field, Loading, PageHeader, Pager, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { AuditFilter } from '@/gql/graphql';

const AuditQuery = graphql(`
  query Audit($filter: AuditFilter, $first: Int!, $after: String) {
    audit(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        subject
        object
        action
        authorized
        correlationId
        recordedAt
      }
    }
  }
`);

/** A `datetime-local` value, read as UTC, as an RFC 3339 instant. */
function instant(value: FormDataEntryValue | null): string | null {
  const text = String(value ?? '');
  return text ? `${text}:00Z` : null;
}

export default function AuditPage() {
  const pager = useCursorPager();
  const [filter, setFilter] = useState<AuditFilter>({});
  const { data, error } = useQuery(AuditQuery, { variables: { filter, first: 50, after: pager.after } });
  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || null;
    const authorized = String(form.get('authorized'));
    setFilter({
      subject: text('subject'),
      object: text('object'),
      action: text('action'),
      authorized: authorized === '' ? null : authorized === 'yes',
      from: instant(form.get('from')),
      until: instant(form.get('until')),
    });
    pager.reset();
  }
  return (
    <>
      <PageHeader title="Audit log" />
      <Card>
        <form className="filters" aria-label="Filter the audit log" onSubmit={apply}>
          <Field label="Subject">
            <input name="subject" placeholder="e.g. user:…" autoComplete="off" />
          </Field>
          <Field label="Object">
            <input name="object" placeholder="e.g. deposit/account" autoComplete="off" />
          </Field>
          <Field label="Action">
            <input name="action" placeholder="e.g. deposit:write" autoComplete="off" />
          </Field>
          <Field label="Decision">
            <select name="authorized" defaultValue="">
              <option value="">Any</option>
              <option value="yes">Allowed</option>
              <option value="no">Refused</option>
            </select>
          </Field>
          <Field label="From (UTC)">
            <input name="from" type="datetime-local" />
          </Field>
          <Field label="Until (UTC)">
            <input name="until" type="datetime-local" />
          </Field>
          <button type="submit" className="button">
            Filter
          </button>
        </form>
        <ErrorNotice error={error} />
        {!data && !error ? <Loading what="the audit log" /> : null}
        {data && data.audit.nodes.length === 0 ? <Empty>No entries match.</Empty> : null}
        {data && data.audit.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Audit entries">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Subject</th>
                  <th>Object</th>
                  <th>Action</th>
                  <th>Decision</th>
                  <th>Correlation id</th>
                </tr>
              </thead>
              <tbody>
                {data.audit.nodes.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <When at={e.recordedAt} />
                    </td>
                    <td className="mono id">{e.subject}</td>
                    <td className="mono">{e.object}</td>
                    <td className="mono">{e.action}</td>
                    <td>{e.authorized ? <span className="badge badge-good">Allowed</span> : <span className="badge badge-bad">Refused</span>}</td>
                    <td className="mono id">{e.correlationId ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={data?.audit.pageInfo} />
      </Card>
    </>
  );
}
