import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, IndexTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { NumericCell } from "~/components/NumericCell/NumericCell";
import db from "~/db/client.server";
import { levelsListAction, levelsView } from "~/services/admin/levels.server";
import { formAction } from "~/services/admin/respond.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json(await levelsView(db, session.shop));
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return formAction(() => levelsListAction(db, session.shop, form));
};

export default function Levels() {
  const v = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const fetcher = useFetcher<typeof action>();
  const nav = useNavigation();
  const error =
    (fetcher.data && !fetcher.data.ok ? fetcher.data.errors?._form : undefined) ?? (result && !result.ok ? result.errors?._form : undefined);
  const busy = fetcher.state !== "idle" || nav.state !== "idle";
  const submit = (intent: string, levelId: string, extra: Record<string, string> = {}) =>
    fetcher.submit({ intent, levelId, ...extra }, { method: "post" });

  return (
    <Page
      title="Levels"
      subtitle={`${v.levels.length} of ${v.cap.maxLevels} levels on the ${v.cap.label} plan`}
      primaryAction={{ content: "Add level", url: "/app/levels/new", disabled: !!v.capMessage, accessibilityLabel: "Add level" }}
      secondaryActions={v.draftPending ? [{ content: "Preview and publish", url: "/app/publish" }] : []}
    >
      <Layout>
        {v.capMessage && (
          <Layout.Section>
            <Banner tone="warning" title="Level limit reached" action={{ content: "Change plan", url: v.planUrl, target: "_top" }}>
              <p>{v.capMessage}</p>
            </Banner>
          </Layout.Section>
        )}
        {error && (
          <Layout.Section>
            <Banner tone="critical" title="That change was not made">
              <p>{error}</p>
            </Banner>
          </Layout.Section>
        )}
        {v.draftPending && (
          <Layout.Section>
            <Banner tone="info" title="Unpublished changes">
              <p>Level changes are saved on the draft. Members keep their current levels until you publish.</p>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "level", plural: "levels" }}
              itemCount={v.levels.length}
              selectable={false}
              headings={[
                { title: "Rank" },
                { title: "Level" },
                { title: "Reached by" },
                { title: "Members", alignment: "end" },
                { title: "Enabled" },
                { title: "" },
              ]}
              emptyState={
                <BlockStack gap="200" inlineAlign="center">
                  <Text as="p">No levels yet.</Text>
                  <Button url="/app/levels/new">Add your first level</Button>
                </BlockStack>
              }
            >
              {v.levels.map((l, i) => (
                <IndexTable.Row id={l.id} key={l.id} position={i}>
                  <IndexTable.Cell>{l.rank}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <InlineStack gap="200" blockAlign="center">
                      <Button variant="plain" url={`/app/levels/${encodeURIComponent(l.id)}`} accessibilityLabel={`Edit ${l.name}`}>
                        {l.name}
                      </Button>
                      {l.internalOnly && <Badge tone="info">Internal only</Badge>}
                      {l.state === "draft" && <Badge tone="attention">New in draft</Badge>}
                      {l.state === "changed" && <Badge tone="attention">Changed in draft</Badge>}
                    </InlineStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" tone="subdued">
                      {l.conditionSummary}
                    </Text>
                  </IndexTable.Cell>
                  <NumericCell>{l.memberCount.toLocaleString("en-US")}</NumericCell>
                  <IndexTable.Cell>
                    <input
                      type="checkbox"
                      role="switch"
                      aria-label={`${l.name} enabled`}
                      checked={l.enabled}
                      disabled={busy}
                      onChange={(e) => submit("setEnabled", l.id, { enabled: String(e.currentTarget.checked) })}
                    />
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <ButtonGroup>
                      <Button
                        size="slim"
                        disabled={busy || i === 0}
                        onClick={() => submit("move", l.id, { direction: "up" })}
                        accessibilityLabel={`Move ${l.name} up`}
                      >
                        ↑
                      </Button>
                      <Button
                        size="slim"
                        disabled={busy || i === v.levels.length - 1}
                        onClick={() => submit("move", l.id, { direction: "down" })}
                        accessibilityLabel={`Move ${l.name} down`}
                      >
                        ↓
                      </Button>
                      <Button size="slim" url={`/app/levels/${encodeURIComponent(l.id)}/benefits`} accessibilityLabel={`Benefits of ${l.name}`}>
                        Benefits
                      </Button>
                    </ButtonGroup>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
        {v.removed.length > 0 && (
          <Layout.Section>
            <Text as="p" tone="subdued">
              Removed in the draft (gone when you publish): {v.removed.map((r) => r.name).join(", ")}
            </Text>
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}
