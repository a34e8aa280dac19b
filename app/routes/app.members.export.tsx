import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db/client.server";
import { exportMembersCsv, parseMembersFilter } from "~/services/admin/members.server";
import { authenticate } from "~/shopify.server";

// Resource route: the member list (with the list's filters) as CSV.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const filter = parseMembersFilter(new URL(request.url).searchParams);
  const csv = await exportMembersCsv(db, session.shop, filter, Date.now());
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tierline-members-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
