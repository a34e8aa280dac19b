import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { json } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { Banner, BlockStack, Button, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { ErrorBanner } from "~/components/ErrorBanner/ErrorBanner";
import { LevelForm } from "~/components/LevelForm/LevelForm";
import { SectionCard } from "~/components/SectionCard/SectionCard";
import db from "~/db/client.server";
import { levelEditAction, levelEditView } from "~/services/admin/levels.server";
import { formAction, orNotFound } from "~/services/admin/respond.server";
import { authenticate } from "~/shopify.server";

/** `/app/levels/new` creates a level; `/app/levels/<id>` edits one. */
const levelIdParam = (id: string | undefined) => (id === undefined || id === "new" ? null : id);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json(await orNotFound(() => levelEditView(db, session.shop, levelIdParam(params.id))));
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return formAction(() => levelEditAction(db, session.shop, levelIdParam(params.id), form));
};

// After a delete, this level's loader would answer 404 (the page then leaves for the list): do not reload it.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, actionResult, defaultShouldRevalidate }) =>
  formData?.get("intent") === "delete" && (actionResult as { ok?: boolean } | undefined)?.ok ? false : defaultShouldRevalidate;

export default function LevelEditor() {
  const v = useLoaderData<typeof loader>();
  const save = useFetcher<typeof action>();
  const remove = useFetcher<typeof action>();
  const navigate = useNavigate();
  const saved = save.data?.ok ? save.data : null;
  const removed = remove.data?.ok ? remove.data : null;

  // Only once the save's revalidation finished (state idle; the fetcher holds its data while it still revalidates
  // "new"): navigating earlier raced that revalidation, which could commit the "new" page's data under the new URL.
  useEffect(() => {
    if (save.state === "idle" && saved && "levelId" in saved && saved.levelId && v.levelId === null)
      navigate(`/app/levels/${encodeURIComponent(String(saved.levelId))}`, { replace: true });
  }, [save.state, saved, v.levelId, navigate]);
  useEffect(() => {
    if (removed) navigate("/app/levels");
  }, [removed, navigate]);

  const title = v.levelId === null ? "Add level" : `Edit ${v.form.name}`;
  const deleteError = remove.data && !remove.data.ok ? remove.data.errors?._form : undefined;
  return (
    <Page
      title={title}
      backAction={{ content: "Levels", url: "/app/levels" }}
      secondaryActions={
        v.levelId ? [{ content: "Benefits", url: `/app/levels/${encodeURIComponent(v.levelId)}/benefits`, accessibilityLabel: "Edit benefits" }] : []
      }
    >
      <BlockStack gap="400">
        {v.capMessage && (
          <Banner tone="warning" title="Level limit reached" action={{ content: "Change plan", url: v.planUrl, target: "_top" }}>
            <p>{v.capMessage}</p>
          </Banner>
        )}
        {saved && (
          <Banner tone="success" title="Saved on the draft">
            <p>
              Members move under these rules once you <Link to="/app/publish">preview and publish</Link>.
            </p>
          </Banner>
        )}
        <LevelForm
          // Per level and stored draft: after "Add level" saves, the route moves to the new level's URL (same draft
          // version), and the editor must remount with that level's stored values.
          key={`${v.levelId ?? "new"}:${v.formKey}`}
          initial={v.form}
          errors={save.data && !save.data.ok ? save.data.errors : undefined}
          submitting={save.state !== "idle"}
          currencyCode={v.currency}
          retentionOn={v.retentionOn}
          onSubmit={(payload) => save.submit({ intent: "save", payload: JSON.stringify(payload) }, { method: "post" })}
        />
        {v.levelId && (
          <Layout>
            <Layout.Section>
              <SectionCard title="Delete level" gap="200">
                <Text as="p" tone="subdued">
                  {v.memberCount > 0
                    ? `${v.memberCount} members hold this level. Move them to another level (or disable the level so they fall to the next one) before deleting it.`
                    : "No member holds this level. Deleting removes it from the draft; it disappears when you publish."}
                </Text>
                <ErrorBanner message={deleteError} />
                <InlineStack>
                  <Button
                    tone="critical"
                    disabled={v.memberCount > 0}
                    loading={remove.state !== "idle"}
                    onClick={() => remove.submit({ intent: "delete" }, { method: "post" })}
                    accessibilityLabel="Delete level"
                  >
                    Delete level
                  </Button>
                </InlineStack>
              </SectionCard>
            </Layout.Section>
          </Layout>
        )}
      </BlockStack>
    </Page>
  );
}
