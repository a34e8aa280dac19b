import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useLocation, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  Filters,
  IndexTable,
  InlineStack,
  Layout,
  List,
  Page,
  Pagination,
  Text,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { MoneyField } from "~/components/DecimalField/DecimalField";
import { ImportedBirthdays } from "~/components/MemberBirthday/ImportedBirthdays";
import { NumericCell } from "~/components/NumericCell/NumericCell";
import db from "~/db/client.server";
import { importMembersAction, membersView, parseMembersFilter } from "~/services/admin/members.server";
import { formAction } from "~/services/admin/respond.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const filter = parseMembersFilter(new URL(request.url).searchParams);
  return json(await membersView(db, session.shop, filter, Date.now()));
};

/** CSV import. Imported levels are assignments by hand: they grant no upgrade points or welcome rewards. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return formAction(() => importMembersAction(db, session.shop, form, Date.now()));
};

const STATUS_LABELS: Record<string, string> = { active: "Active", grace: "Grace period", frozen: "Frozen", none: "No level" };

export default function Members() {
  const v = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const nav = useNavigation();
  const importer = useFetcher<typeof action>();
  const [query, setQuery] = useState(v.filter.query);
  const [minSpend, setMinSpend] = useState(v.filter.minSpend ?? "");
  const [maxSpend, setMaxSpend] = useState(v.filter.maxSpend ?? "");
  const [exporting, setExporting] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
    next.delete("page");
    setParams(next, { replace: true });
  };

  // A search still waiting to run must not pull the merchant back from a member they already opened.
  const location = useLocation();
  const leaving = useRef(false);
  leaving.current = !!nav.location && nav.location.pathname !== location.pathname;

  // Search as the merchant types, without a request per keystroke.
  useEffect(() => {
    if (query === v.filter.query) return;
    const t = setTimeout(() => {
      if (!leaving.current) setParam("q", query);
    }, 300);
    return () => clearTimeout(t);
  }, [query]);

  async function exportCsv() {
    // A plain link would carry no session token inside the admin; fetch (App Bridge adds the token) and save the blob.
    setExporting(true);
    try {
      const res = await fetch(`/app/members/export?${params.toString()}`);
      if (!res.ok) throw new Error(`Export failed (${res.status})`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = "tierline-members.csv";
      a.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  }

  // A pinned filter that picks one value of a URL parameter named like the filter.
  const singleChoiceFilter = (key: "level" | "status", label: string, choices: { label: string; value: string }[]) => {
    const current = v.filter[key];
    return {
      key,
      label,
      filter: (
        <ChoiceList title={label} titleHidden choices={choices} selected={current ? [current] : []} onChange={(x) => setParam(key, x[0] ?? null)} />
      ),
      shortcut: true,
    };
  };
  const filters = [
    singleChoiceFilter("level", "Level", [
      { label: "No level", value: "none" },
      ...v.levels.map((l) => ({ label: `${l.name} (${v.counts[l.id] ?? 0})`, value: l.id })),
    ]),
    singleChoiceFilter(
      "status",
      "Status",
      Object.entries(STATUS_LABELS).map(([value, label]) => ({ label, value })),
    ),
    {
      key: "spend",
      label: "Spend",
      filter: (
        <BlockStack gap="200">
          <MoneyField
            label="Minimum spend"
            currencyCode={v.currency}
            value={minSpend}
            onChange={setMinSpend}
            onBlur={() => setParam("minSpend", minSpend)}
          />
          <MoneyField
            label="Maximum spend"
            currencyCode={v.currency}
            value={maxSpend}
            onChange={setMaxSpend}
            onBlur={() => setParam("maxSpend", maxSpend)}
          />
        </BlockStack>
      ),
    },
  ];
  const applied = [
    ...(v.filter.level
      ? [
          {
            key: "level",
            label: `Level: ${v.filter.level === "none" ? "No level" : (v.levels.find((l) => l.id === v.filter.level)?.name ?? v.filter.level)}`,
            onRemove: () => setParam("level", null),
          },
        ]
      : []),
    ...(v.filter.status
      ? [{ key: "status", label: `Status: ${STATUS_LABELS[v.filter.status] ?? v.filter.status}`, onRemove: () => setParam("status", null) }]
      : []),
    ...(v.filter.minSpend || v.filter.maxSpend
      ? [
          {
            key: "spend",
            label: `Spend ${v.filter.minSpend ?? "0"}–${v.filter.maxSpend ?? "∞"}`,
            onRemove: () => {
              setMinSpend("");
              setMaxSpend("");
              const next = new URLSearchParams(params);
              next.delete("minSpend");
              next.delete("maxSpend");
              setParams(next, { replace: true });
            },
          },
        ]
      : []),
  ];

  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  const importResult = importer.data;
  return (
    <Page
      title="Members"
      subtitle={`${v.total.toLocaleString("en-US")} members`}
      primaryAction={{ content: "Export CSV", onAction: exportCsv, loading: exporting, accessibilityLabel: "Export CSV" }}
      secondaryActions={[{ content: "Import CSV", onAction: () => fileRef.current?.click(), accessibilityLabel: "Import CSV" }]}
    >
      <Layout>
        {v.filter.move && (
          <Layout.Section>
            <Banner tone="info" title="Preview drill-down" action={{ content: "Back to preview", url: "/app/publish?preview=1" }}>
              <p>
                Members of {v.levels.find((l) => l.id === v.filter.move!.from)?.name ?? v.filter.move.from} the draft would{" "}
                {v.filter.move.kind === "stay" ? "leave where they are" : `move ${v.filter.move.kind}`}.
              </p>
            </Banner>
          </Layout.Section>
        )}
        {importResult && (
          <Layout.Section>
            {importResult.ok ? (
              <Banner tone="success" title="Import finished">
                <p>{"imported" in importResult ? `${importResult.imported} members imported (no rewards granted).` : null}</p>
                {"birthdays" in importResult && importResult.birthdays.length > 0 && <ImportedBirthdays outcomes={importResult.birthdays} />}
              </Banner>
            ) : (
              <Banner tone="critical" title="Nothing was imported">
                <List>
                  {Object.entries(importResult.errors ?? {})
                    .slice(0, 20)
                    .map(([k, m]) => (
                      <List.Item key={k}>{m}</List.Item>
                    ))}
                </List>
              </Banner>
            )}
          </Layout.Section>
        )}
        <Layout.Section>
          <importer.Form method="post" encType="multipart/form-data" style={{ display: "none" }}>
            <input
              ref={fileRef}
              type="file"
              name="file"
              accept=".csv,text/csv"
              aria-label="Member CSV file"
              onChange={(e) => {
                if (e.currentTarget.files?.length) importer.submit(e.currentTarget.form!, { method: "post", encType: "multipart/form-data" });
              }}
            />
          </importer.Form>
          <Card padding="0">
            <Filters
              queryValue={query}
              queryPlaceholder="Search by name, email or customer id"
              onQueryChange={setQuery}
              onQueryClear={() => {
                setQuery("");
                setParam("q", null);
              }}
              filters={filters}
              appliedFilters={applied}
              onClearAll={() => {
                setQuery("");
                setMinSpend("");
                setMaxSpend("");
                setParams(new URLSearchParams(), { replace: true });
              }}
              loading={nav.state === "loading"}
            />
            <IndexTable
              resourceName={{ singular: "member", plural: "members" }}
              itemCount={v.members.length}
              selectable={false}
              headings={[
                { title: "Member" },
                { title: "Level" },
                { title: "Status" },
                { title: "Since" },
                { title: "Spend", alignment: "end" },
                { title: "Points", alignment: "end" },
              ]}
            >
              {v.members.map((m, i) => (
                <IndexTable.Row id={m.id} key={m.id} position={i}>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Link to={`/app/members/${encodeURIComponent(m.id)}`}>{m.name}</Link>
                      {m.email && (
                        <Text as="span" variant="bodySm" tone="subdued">
                          {m.email}
                        </Text>
                      )}
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <InlineStack gap="100">
                      <Text as="span">{m.levelName ?? "—"}</Text>
                      {m.locked && <Badge tone="info">Locked</Badge>}
                    </InlineStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{STATUS_LABELS[m.status] ?? m.status}</IndexTable.Cell>
                  <IndexTable.Cell>{m.levelSince ? m.levelSince.slice(0, 10) : "—"}</IndexTable.Cell>
                  <NumericCell>{m.spend}</NumericCell>
                  <NumericCell>{m.points.toLocaleString("en-US")}</NumericCell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineStack align="center">
            <Pagination
              hasPrevious={v.page > 1}
              hasNext={v.page < pages}
              onPrevious={() => setParams((p) => (p.set("page", String(v.page - 1)), p))}
              onNext={() => setParams((p) => (p.set("page", String(v.page + 1)), p))}
              label={`Page ${v.page} of ${pages}`}
            />
          </InlineStack>
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued" variant="bodySm">
            Import columns: customer_id, level (id or name; empty removes the level), locked (yes/no), points (optional adjustment). The export starts
            with the same columns.
          </Text>
          <Button variant="plain" url="/app">
            Back to member centre
          </Button>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
