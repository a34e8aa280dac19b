import type { LoaderFunctionArgs } from "@remix-run/node";
import { Card, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return null;
};

export default function MemberCentre() {
  return (
    <Page title="Member centre">
      <Layout>
        <Layout.Section>
          <Card>
            <Text as="p" variant="bodyMd">Tierline keeps your members' levels in step with their orders.</Text>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
