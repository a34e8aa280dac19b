import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  Checkbox,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { ErrorBanner } from "~/components/ErrorBanner/ErrorBanner";
import { LevelChangeList } from "~/components/LevelChangeList/LevelChangeList";
import { MemberBirthday } from "~/components/MemberBirthday/MemberBirthday";
import { MemberRewards } from "~/components/MemberRewards/MemberRewards";
import { SectionBody, SectionCard } from "~/components/SectionCard/SectionCard";
import db from "~/db/client.server";
import { memberAction, memberDetailView } from "~/services/admin/members.server";
import { formAction, orNotFound } from "~/services/admin/respond.server";
import { memberBirthdayView, setMemberBirthdayAction } from "~/services/rewards/birthdays-capture.server";
import { memberRewardsView } from "~/services/rewards/member-rewards.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const view = await orNotFound(() => memberDetailView(db, session.shop, params.id!, Date.now()));
  return json({
    ...view,
    birthday: await memberBirthdayView(db, session.shop, params.id!),
    rewards: await memberRewardsView(db, session.shop, params.id!),
  });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") === "birthday") return formAction(() => setMemberBirthdayAction(db, session.shop, params.id!, form, Date.now()));
  return formAction(() => memberAction(db, session.shop, params.id!, form, Date.now()));
};

const STATUS: Record<string, { label: string; tone?: "success" | "attention" | "warning" | "info" }> = {
  active: { label: "Active", tone: "success" },
  grace: { label: "Grace period", tone: "attention" },
  frozen: { label: "Frozen", tone: "warning" },
  none: { label: "No level" },
};

export default function MemberDetail() {
  const v = useLoaderData<typeof loader>();
  const m = v.member;
  const assign = useFetcher<typeof action>();
  const adjust = useFetcher<typeof action>();
  const [level, setLevel] = useState(m.level ?? "");
  const [lock, setLock] = useState(m.locked);
  const [points, setPoints] = useState("");
  const [note, setNote] = useState("");
  // One key per filled-in form: a double click or a retried request is one fact; after a success, a new form.
  const assignKey = useSubmissionKey(assign.data);
  const adjustKey = useSubmissionKey(adjust.data);
  useEffect(() => {
    if (adjust.data?.ok) {
      setPoints("");
      setNote("");
    }
  }, [adjust.data]);
  const errs = (f: typeof assign) => (f.data && !f.data.ok ? f.data.errors : undefined);
  const status = STATUS[m.status] ?? { label: m.status };

  return (
    <Page
      title={m.name}
      subtitle={m.email ?? m.customerGid}
      backAction={{ content: "Members", url: "/app/members" }}
      titleMetadata={<Badge tone={status.tone}>{status.label}</Badge>}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SectionCard title="Level">
              <InlineGrid columns={{ xs: 1, md: 4 }} gap="300">
                <Fact label="Level" value={m.levelName ?? "No level"} extra={m.locked ? <Badge tone="info">Locked</Badge> : null} />
                <Fact label="Since" value={m.levelSince ? m.levelSince.slice(0, 10) : "—"} />
                <Fact label="Until" value={m.levelExpiresAt ? m.levelExpiresAt.slice(0, 10) : m.level ? "No expiry" : "—"} />
                <Fact label="Points" value={m.points.toLocaleString("en-US")} />
              </InlineGrid>
              <Fact label={`Counted spend (${v.currency})`} value={m.spend} />
              {m.graceEndsAt && (
                <Text as="p" tone="caution">
                  Grace period ends {m.graceEndsAt.slice(0, 10)}.
                </Text>
              )}
              {v.progress && (
                <BlockStack gap="100">
                  <Text as="p">
                    Next: {v.progress.next.name}
                    {v.progress.remainingSpend !== null && ` — spend ${v.progress.remainingSpend} ${v.currency} more`}
                    {v.progress.remainingPoints !== null && ` — ${v.progress.remainingPoints} more points`}
                  </Text>
                  {v.progress.percent !== null && <ProgressBar progress={v.progress.percent} size="small" ariaLabelledBy="progress-label" />}
                  <span id="progress-label" hidden>
                    Progress to {v.progress.next.name}
                  </span>
                </BlockStack>
              )}
            </SectionCard>

            <MemberRewards rewards={v.rewards} />

            <SectionCard title="Why the level changed" gap="200">
              <LevelChangeList as="ol" gap="150" items={v.audit.map((a) => a.text)} />
            </SectionCard>

            <SectionCard title="Points ledger" gap="200">
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "numeric"]}
                headings={["Date", "Entry", "Note", "Points", "Balance"]}
                rows={v.ledger.map((e) => [
                  e.at.slice(0, 10),
                  e.kind,
                  e.note ?? e.orderId ?? "",
                  e.points > 0 ? `+${e.points}` : String(e.points),
                  e.balance,
                ])}
              />
            </SectionCard>

            <SectionCard title="Orders" gap="200">
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
                headings={["Order", "Paid", "Total", "Refunded", ""]}
                rows={v.orders.map((o) => [
                  o.name,
                  o.paidAt.slice(0, 10),
                  o.total,
                  o.refunded,
                  o.cancelled ? "Cancelled" : o.waitingForProductData ? "Waiting for product data" : "",
                ])}
              />
              {v.orders.some((o) => o.waitingForProductData) && (
                <Text as="p" tone="subdued">
                  Waiting for product data: Tierline is reading these orders&apos; product collections and tags from Shopify. Conditions scoped by
                  collection or tag count them once they are read.
                </Text>
              )}
            </SectionCard>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <MemberBirthday {...v.birthday} />
            <Card>
              <assign.Form method="post" aria-label="Assign level">
                <input type="hidden" name="intent" value="assign" />
                <input type="hidden" name="key" value={assignKey} />
                <SectionBody title="Assign level">
                  <Select
                    label="Level"
                    name="level"
                    options={[{ label: "No level", value: "" }, ...v.levels.map((l) => ({ label: l.name, value: l.id }))]}
                    value={level}
                    onChange={setLevel}
                    error={errs(assign)?.level}
                  />
                  <Checkbox label="Lock the level (no automatic changes)" checked={lock} onChange={setLock} />
                  <input type="hidden" name="lock" value={String(lock)} />
                  <ErrorBanner message={errs(assign)?._form} />
                  {assign.data?.ok && (
                    <Text as="p" tone="success">
                      Level assigned.
                    </Text>
                  )}
                  <Button submit loading={assign.state !== "idle"} accessibilityLabel="Assign level">
                    Assign
                  </Button>
                </SectionBody>
              </assign.Form>
            </Card>
            <Card>
              <adjust.Form method="post" aria-label="Adjust points">
                <input type="hidden" name="intent" value="adjustPoints" />
                <input type="hidden" name="key" value={adjustKey} />
                <SectionBody title="Adjust points">
                  <TextField
                    label="Points to add or remove"
                    name="points"
                    autoComplete="off"
                    helpText="Negative to remove, e.g. -50"
                    value={points}
                    onChange={setPoints}
                    error={errs(adjust)?.points}
                  />
                  <TextField
                    label="Note"
                    name="note"
                    autoComplete="off"
                    helpText="Required: kept in the ledger"
                    value={note}
                    onChange={setNote}
                    error={errs(adjust)?.note}
                  />
                  <ErrorBanner message={errs(adjust)?._form} />
                  {adjust.data?.ok && (
                    <Text as="p" tone="success">
                      Points adjusted.
                    </Text>
                  )}
                  <InlineStack>
                    <Button submit loading={adjust.state !== "idle"} accessibilityLabel="Adjust points">
                      Adjust
                    </Button>
                  </InlineStack>
                </SectionBody>
              </adjust.Form>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function useSubmissionKey(result: { ok: boolean } | undefined): string {
  // Made in the browser only, so server and client render the same markup.
  const [key, setKey] = useState("");
  useEffect(() => {
    if (!key || result?.ok) setKey(crypto.randomUUID());
  }, [result]);
  return key;
}

function Fact({ label, value, extra }: { label: string; value: string; extra?: React.ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <InlineStack gap="100" blockAlign="center">
        <Text as="span" variant="headingMd" aria-label={label}>
          {value}
        </Text>
        {extra}
      </InlineStack>
    </BlockStack>
  );
}
