import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Page } from "@shopify/polaris";
import { SettingsForm } from "~/components/SettingsForm/SettingsForm";
import db from "~/db/client.server";
import { formAction } from "~/services/admin/respond.server";
import { saveSettingsAction, settingsView } from "~/services/admin/settings.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json(await settingsView(db, session.shop));
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return formAction(() => saveSettingsAction(db, session.shop, form));
};

export default function ProgramSettings() {
  const v = useLoaderData<typeof loader>();
  const save = useFetcher<typeof action>();
  return (
    <Page title="Program settings" secondaryActions={[{ content: "Preview and publish", url: "/app/publish" }]}>
      <BlockStack gap="400">
        {save.data?.ok && (
          <Banner tone="success" title="Settings saved on the draft">
            <p>
              Notification texts apply now: Shopify Flow receives them with the next events. Rule changes apply when you{" "}
              <Link to="/app/publish">preview and publish</Link>.
            </p>
          </Banner>
        )}
        <SettingsForm
          key={v.formKey}
          initial={v.form}
          errors={save.data && !save.data.ok ? save.data.errors : undefined}
          submitting={save.state !== "idle"}
          onSubmit={(payload) => save.submit({ intent: "save", payload: JSON.stringify(payload) }, { method: "post" })}
        />
      </BlockStack>
    </Page>
  );
}
