import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Page } from "@shopify/polaris";
import { BenefitsForm } from "~/components/BenefitsForm/BenefitsForm";
import db from "~/db/client.server";
import { benefitsEditView, saveBenefitsAction } from "~/services/admin/benefits.server";
import { formAction, orNotFound } from "~/services/admin/respond.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return json(await orNotFound(() => benefitsEditView(db, session.shop, params.id!)));
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return formAction(() => saveBenefitsAction(db, session.shop, params.id!, form, Date.now()));
};

const SYNC_BADGE = {
  synced: <Badge tone="success">Checkout discount up to date</Badge>,
  pending: <Badge tone="attention">Updating checkout discount</Badge>,
  failed: <Badge tone="critical">Checkout discount update failed</Badge>,
  never: <Badge>No checkout discount yet</Badge>,
};

export default function LevelBenefits() {
  const v = useLoaderData<typeof loader>();
  const save = useFetcher<typeof action>();
  return (
    <Page
      title={`${v.levelName} benefits`}
      backAction={{ content: v.levelName, url: `/app/levels/${encodeURIComponent(v.levelId)}` }}
      titleMetadata={SYNC_BADGE[v.discountSync.state]}
    >
      <BlockStack gap="400">
        {v.discountSync.state === "failed" && v.discountSync.message && (
          <Banner tone="critical" title="The checkout discount could not be updated">
            <p>{v.discountSync.message} Tierline retries on its own.</p>
          </Banner>
        )}
        {save.data?.ok && (
          <Banner tone="success" title="Benefits saved">
            <p>Discounts and free shipping update at checkout within moments. Points rules apply once you publish the draft.</p>
          </Banner>
        )}
        <BenefitsForm
          key={`${v.levelId}:${v.formKey}`}
          levelName={v.levelName}
          initial={v.form}
          currencyCode={v.currency}
          errors={save.data && !save.data.ok ? save.data.errors : undefined}
          submitting={save.state !== "idle"}
          onSubmit={(payload) => save.submit({ intent: "save", payload: JSON.stringify(payload) }, { method: "post" })}
        />
      </BlockStack>
    </Page>
  );
}
