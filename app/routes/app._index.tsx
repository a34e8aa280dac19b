import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { GrowthChart } from "~/components/GrowthChart/GrowthChart";
import { LevelChangeList } from "~/components/LevelChangeList/LevelChangeList";
import { SectionCard } from "~/components/SectionCard/SectionCard";
import db from "~/db/client.server";
import { memberCentre } from "~/services/admin/dashboard.server";
import { importFullOrderHistory, loadOrderHistoryNotice, scopesGrantedInAdmin } from "~/services/order-history.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [centre, orderHistory] = await Promise.all([memberCentre(db, session.shop, Date.now()), loadOrderHistoryNotice(db, session.shop)]);
  return json({ ...centre, orderHistory });
};

/**
 * The order-history banner's buttons: `scopesGranted` after the merchant granted read_all_orders through App Bridge
 * (Shopify's list of granted scopes is read and stored, and the full import queued), `importFullOrderHistory` to
 * import it again once the permission is there.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const intent = (await request.formData()).get("intent");
  if (intent === "scopesGranted") return json({ ok: await scopesGrantedInAdmin(db, admin, session.shop, new Date()) });
  if (intent === "importFullOrderHistory") return json({ ok: await importFullOrderHistory(db, session.shop, new Date()) });
  return json({ ok: false, error: "Unknown action" }, { status: 400 });
};

export default function MemberCentre() {
  const v = useLoaderData<typeof loader>();
  const recalc = v.recalculation;
  const reimport = useFetcher<typeof action>();
  const appBridge = useAppBridge();
  const history = v.orderHistory;
  // Shopify shows the merchant its permission dialog; a grant is confirmed with Shopify on the server.
  const requestScope = async (scope: string) => {
    const { result } = await appBridge.scopes.request([scope]);
    if (result === "granted-all") reimport.submit({ intent: "scopesGranted" }, { method: "post" });
  };
  const bannerAction = history?.grant
    ? { content: history.grant.content, loading: reimport.state !== "idle", onAction: () => void requestScope(history.grant!.scope) }
    : history?.reimport
      ? {
          content: history.reimport.content,
          loading: reimport.state !== "idle",
          onAction: () => reimport.submit({ intent: "importFullOrderHistory" }, { method: "post" }),
        }
      : undefined;
  return (
    <Page title="Member centre">
      <Layout>
        {history && (
          <Layout.Section>
            <Banner tone={history.tone} title={history.title} action={bannerAction}>
              {history.paragraphs.map((p) => (
                <p key={p}>{p}</p>
              ))}
            </Banner>
          </Layout.Section>
        )}
        {!v.hasPublished && (
          <Layout.Section>
            <Banner tone="info" title="Set up your levels" action={{ content: "Create levels", url: "/app/levels" }}>
              <p>No program is live yet. Create levels, then preview and publish them.</p>
            </Banner>
          </Layout.Section>
        )}
        {v.hasPublished && !v.programEnabled && (
          <Layout.Section>
            <Banner tone="warning" title="Level rules are off" action={{ content: "Program settings", url: "/app/settings" }}>
              <p>No levels are shown and no level discounts apply until you turn them on.</p>
            </Banner>
          </Layout.Section>
        )}
        {v.draftPending && (
          <Layout.Section>
            <Banner tone="info" title="You have unpublished changes" action={{ content: "Preview and publish", url: "/app/publish" }}>
              <p>Edits are saved on a draft. Preview how members would move, then publish.</p>
            </Banner>
          </Layout.Section>
        )}
        {recalc && recalc.status !== "done" && (
          <Layout.Section>
            <SectionCard title="Recalculating levels" gap="200">
              <ProgressBar progress={recalc.total ? Math.round((recalc.done / recalc.total) * 100) : 0} ariaLabelledBy="recalc-progress-label" />
              <Text as="p" id="recalc-progress-label" tone="subdued">
                {recalc.done} of {recalc.total} members
              </Text>
            </SectionCard>
          </Layout.Section>
        )}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingSm" tone="subdued">
                  Members
                </Text>
                <Text as="p" variant="heading2xl" aria-label="Member count">
                  {v.memberCount.toLocaleString("en-US")}
                </Text>
                <Text as="p" tone="subdued">
                  +{v.newMembers30d} in the last 30 days
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingSm" tone="subdued">
                  Growth (90 days)
                </Text>
                <GrowthChart points={v.growth} height={90} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <InlineStack align="space-between">
                  <Text as="h2" variant="headingSm" tone="subdued">
                    Sync with Shopify
                  </Text>
                  {v.sync.failed > 0 ? (
                    <Badge tone="critical">{`${v.sync.failed} failed`}</Badge>
                  ) : v.sync.queued + v.sync.running > 0 ? (
                    <Badge tone="attention">Syncing</Badge>
                  ) : (
                    <Badge tone="success">Up to date</Badge>
                  )}
                </InlineStack>
                <Text as="p" aria-label="Pending jobs">
                  {v.sync.queued} queued · {v.sync.running} running
                </Text>
                {v.sync.lastSyncedAt && (
                  <Text as="p" tone="subdued">
                    Last sync {formatWhen(v.sync.lastSyncedAt)}
                  </Text>
                )}
                {v.sync.lastError && (
                  <Text as="p" tone="critical" aria-label="Last sync error">
                    {v.sync.lastError.type}: {v.sync.lastError.message} ({formatWhen(v.sync.lastError.at)})
                  </Text>
                )}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>

        <Layout.Section variant="oneHalf">
          <SectionCard title="Members per level" gap="200">
            <DataTable
              columnContentTypes={["text", "numeric"]}
              headings={["Level", "Members"]}
              rows={v.perLevel.map((l) => [
                l.levelId ? (
                  <Link to={`/app/members?level=${encodeURIComponent(l.levelId)}`}>{l.name}</Link>
                ) : (
                  <Link to="/app/members?level=none">{l.name}</Link>
                ),
                l.count.toLocaleString("en-US"),
              ])}
            />
          </SectionCard>
        </Layout.Section>

        <Layout.Section variant="oneHalf">
          <SectionCard title="Recent level changes" gap="200">
            <LevelChangeList
              as="ul"
              gap="200"
              items={v.recentChanges.map((c) => (
                <>
                  <Link to={`/app/members/${encodeURIComponent(c.memberId)}`}>{c.memberName}</Link>: {c.text}
                </>
              ))}
            />
          </SectionCard>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <InlineStack gap="300">
              <Button url="/app/levels">Edit levels</Button>
              <Button url="/app/members">Find a member</Button>
              <Button url="/app/publish">Preview and publish</Button>
              <Button url="/app/settings">Program settings</Button>
            </InlineStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function formatWhen(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
