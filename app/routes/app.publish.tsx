import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useFetcher, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Button, DataTable, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { ErrorBanner } from "~/components/ErrorBanner/ErrorBanner";
import { PreviewTable } from "~/components/PreviewTable/PreviewTable";
import { RecalculationProgress } from "~/components/RecalculationProgress/RecalculationProgress";
import { SectionCard } from "~/components/SectionCard/SectionCard";
import db from "~/db/client.server";
import { publishAction, publishView } from "~/services/admin/publish.server";
import { formAction } from "~/services/admin/respond.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const withPreview = new URL(request.url).searchParams.get("preview") === "1";
  return json(await publishView(db, session.shop, { preview: withPreview, now: Date.now() }));
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return formAction(() => publishAction(db, session.shop, form, Date.now()));
};

export default function Publish() {
  const v = useLoaderData<typeof loader>();
  const publish = useFetcher<typeof action>();
  const schedule = useFetcher<typeof action>();
  const cancel = useFetcher<typeof action>();
  const nav = useNavigation();
  const [params] = useSearchParams();
  const [publishAt, setPublishAt] = useState("");
  const previewLoading = nav.state === "loading" && nav.location?.search.includes("preview=1");
  const errorOf = (f: typeof publish) => (f.data && !f.data.ok ? Object.values(f.data.errors ?? {})[0] : undefined);

  return (
    <Page title="Preview and publish" backAction={{ content: "Member centre", url: "/app" }}>
      <Layout>
        {v.recalculation && (
          <Layout.Section>
            <SectionCard title="Recalculation" gap="200">
              <RecalculationProgress key={v.recalculation.jobId} initial={v.recalculation} />
              <Text as="p" tone="subdued">
                You can keep editing: new changes go on a new draft and publish after this run.
              </Text>
            </SectionCard>
          </Layout.Section>
        )}

        <Layout.Section>
          <SectionCard title="Draft">
            {!v.draft ? (
              <Text as="p" tone="subdued">
                No unpublished changes. Edit levels, benefits or settings to start a draft.
              </Text>
            ) : (
              <BlockStack gap="300">
                <ErrorBanner title="The draft cannot be published yet" message={v.draft.error} />
                <Text as="p">Last edited {v.draft.updatedAt.replace("T", " ").slice(0, 16)} UTC.</Text>
                <InlineStack gap="300">
                  <Form method="get">
                    <input type="hidden" name="preview" value="1" />
                    <Button submit loading={previewLoading} disabled={!!v.draft.error} accessibilityLabel="Preview changes">
                      {params.get("preview") === "1" ? "Refresh preview" : "Preview changes"}
                    </Button>
                  </Form>
                  <Button
                    variant="primary"
                    disabled={!!v.draft.error}
                    loading={publish.state !== "idle"}
                    onClick={() => publish.submit({ intent: "publish" }, { method: "post" })}
                    accessibilityLabel="Publish now"
                  >
                    Publish now
                  </Button>
                </InlineStack>
              </BlockStack>
            )}
            {/* Outside the draft branch: once published, the draft is gone and the outcome must still show. */}
            <ErrorBanner message={errorOf(publish)} />
            {publish.data?.ok && (
              <Banner tone="success">
                <p>Published. Levels are being recalculated.</p>
              </Banner>
            )}
          </SectionCard>
        </Layout.Section>

        {v.preview && (
          <Layout.Section>
            <SectionCard title="What publishing would do">
              <Text as="p" tone="subdued">
                Computed from the real history of all {v.preview.members} members as of {v.preview.asOf.replace("T", " ").slice(0, 16)} UTC. Select a
                number to see those members.
              </Text>
              <PreviewTable
                rows={v.preview.rows}
                drillHref={(levelId, move) => `/app/members?moveFrom=${encodeURIComponent(levelId)}&move=${move}`}
              />
              <DataTable
                columnContentTypes={["text", "numeric", "numeric"]}
                headings={["Level", "Members now", "After publishing"]}
                rows={v.preview.counts.map((c) => [c.levelName, c.before, c.after])}
              />
            </SectionCard>
          </Layout.Section>
        )}

        {v.draft && !v.draft.error && (
          <Layout.Section>
            <SectionCard title="Schedule">
              <InlineStack gap="300" blockAlign="end">
                <TextField
                  label="Publish at"
                  type="datetime-local"
                  autoComplete="off"
                  value={publishAt}
                  onChange={setPublishAt}
                  error={schedule.data && !schedule.data.ok ? schedule.data.errors?.publishAt : undefined}
                />
                <Button
                  loading={schedule.state !== "idle"}
                  disabled={!publishAt}
                  // datetime-local is the merchant's wall-clock time; send an absolute instant.
                  onClick={() => schedule.submit({ intent: "schedule", publishAt: new Date(publishAt).toISOString() }, { method: "post" })}
                  accessibilityLabel="Schedule publish"
                >
                  Schedule
                </Button>
              </InlineStack>
            </SectionCard>
          </Layout.Section>
        )}

        {v.scheduled.length > 0 && (
          <Layout.Section>
            <SectionCard title="Scheduled changes" gap="200">
              {v.scheduled.map((s) => (
                <InlineStack key={s.versionId} align="space-between" blockAlign="center">
                  <Text as="p">Publishes {new Date(s.publishAt).toLocaleString()}</Text>
                  <Button
                    tone="critical"
                    variant="plain"
                    loading={cancel.state !== "idle"}
                    onClick={() => cancel.submit({ intent: "cancelSchedule", versionId: s.versionId }, { method: "post" })}
                    accessibilityLabel={`Cancel scheduled publish at ${s.publishAt}`}
                  >
                    Cancel
                  </Button>
                </InlineStack>
              ))}
              <ErrorBanner message={errorOf(cancel)} />
            </SectionCard>
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}
