import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db/client.server";
import { recalculationProgress } from "~/services/admin/publish.server";
import { authenticate } from "~/shopify.server";

// Resource route polled by RecalculationProgress: the state of one recalculation job (or the latest).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const jobId = new URL(request.url).searchParams.get("job");
  return json({ recalculation: await recalculationProgress(db, session.shop, jobId) });
};
