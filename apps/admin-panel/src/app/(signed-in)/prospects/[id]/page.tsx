'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { ActionForm, Card, Details, ErrorNotice, Loading, PageHeader, Status, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { CUSTOMER_TYPES } from '@/labels';
import { Allowed } from '@/permissions';

const ProspectQuery = graphql(`
  query Prospect($id: UUID!) {
    prospect(id: $id) {
      id
      email
      telegramHandle
      customerType
      kycStatus
      applicantId
      converted
      createdAt
    }
  }
`);

const ProspectConvert = graphql(`
  mutation ProspectConvert($input: ProspectConvertInput!) {
    prospectConvert(input: $input) {
      customer {
        id
      }
    }
  }
`);

const ProspectKycLink = graphql(`
  mutation ProspectKycLinkCreate($input: ProspectKycLinkCreateInput!) {
    prospectKycLinkCreate(input: $input) {
      url
    }
  }
`);

export default function ProspectPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const { data, error } = useQuery(ProspectQuery, { variables: { id } });
  const [convert] = useMutation(ProspectConvert);
  const [kycLink] = useMutation(ProspectKycLink);
  const [link, setLink] = useState<string | null>(null);
  const prospect = data?.prospect;
  return (
    <>
      <p className="crumbs">
        <Link href="/prospects">Prospects</Link>
      </p>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the prospect" /> : null}
      {data && !prospect ? <p>No such prospect.</p> : null}
      {prospect ? (
        <>
          <PageHeader title={prospect.email} />
          <Card title="Prospect">
            <Details
              rows={[
                ['Email', prospect.email],
                ['Telegram', prospect.telegramHandle],
                ['Type', CUSTOMER_TYPES.find(([v]) => v === prospect.customerType)?.[1]],
                ['KYC status', <Status key="k" value={prospect.kycStatus} />],
                ['KYC applicant', prospect.applicantId ?? '—'],
                ['Created', <When key="c" at={prospect.createdAt} />],
                ['Customer', prospect.converted ? <Link key="l" href={`/customers/${prospect.id}`}>View customer</Link> : 'Not converted yet'],
              ]}
            />
          </Card>
          {!prospect.converted ? (
            <Allowed object="customer/prospect" action="customer:write">
              <div className="grid">
                <Card title="Convert to customer">
                  <p className="muted">Without waiting for KYC approval (allowed by the setting customer-manual-conversion-allowed).</p>
                  <ActionForm
                    label="Convert to customer"
                    submitLabel="Convert to customer"
                    onSubmit={async () => {
                      const result = await convert({ variables: { input: { prospectId: prospect.id } } });
                      const customer = result.data?.prospectConvert.customer.id;
                      if (customer) router.push(`/customers/${customer}`);
                    }}
                  />
                </Card>
                <Card title="KYC verification">
                  <p className="muted">A link for the prospect to verify their identity with the KYC provider.</p>
                  <ActionForm
                    label="KYC link"
                    submitLabel="Create KYC link"
                    onSubmit={async () => {
                      const result = await kycLink({ variables: { input: { prospectId: prospect.id } } });
                      setLink(result.data?.prospectKycLinkCreate.url ?? null);
                    }}
                  />
                  {link ? (
                    <p>
                      <a href={link} target="_blank" rel="noreferrer">
                        {link}
                      </a>
                    </p>
                  ) : null}
                </Card>
              </div>
            </Allowed>
          ) : null}
        </>
      ) : null}
    </>
  );
}
