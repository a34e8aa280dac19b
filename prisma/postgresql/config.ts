import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/**
 * The PostgreSQL Prisma config: ../../prisma.config.ts hands over to it when DATABASE_URL is a postgres URL, and
 * ./prisma.config.ts is it for `--config` (postinstall generates the PostgreSQL client with that). It has
 * the same JS engine as the SQLite one, so no binary engine is downloaded, and the pg adapter.
 */
export function postgresPrismaConfig(): ReturnType<typeof defineConfig> {
  const fallback = "postgresql://tierline:tierline@127.0.0.1:54329/tierline"; // scripts/postgres.sh start
  const url = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "") ? process.env.DATABASE_URL! : fallback;
  process.env.DATABASE_URL = url;
  return defineConfig({
    experimental: { adapter: true },
    engine: "js",
    // Absolute: the root config hands this object over, and Prisma reads relative paths from the loaded file.
    schema: path.join(import.meta.dirname, "schema.prisma"),
    migrations: { path: path.join(import.meta.dirname, "migrations") },
    adapter: async () => nameColumnsAsText(new PrismaPg({ connectionString: url })),
  });
}

const NAME_OID = 19;
const TEXT_OID = 25;

/**
 * Prisma 6.19's schema engine reads PostgreSQL's catalogs, whose identifiers are of type `name`, and @prisma/adapter-pg
 * refuses that type, so every migrate command fails ("Column type 'name' could not be deserialized", prisma/orm#27403).
 * `name` is text on the wire: the migrate connection reports it as text. Only the CLI loads this file; the app's
 * client never sees it.
 */
function nameColumnsAsText(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  type Result = { fields: { dataTypeID: number }[] };
  const patch = <T extends object>(adapter: T): T => {
    let proto: object | null = Object.getPrototypeOf(adapter);
    while (proto && !Object.hasOwn(proto, "performIO")) proto = Object.getPrototypeOf(proto);
    const owner = proto as { performIO?: (this: unknown, query: unknown) => Promise<Result>; __nameAsText?: true } | null;
    if (owner?.performIO && !owner.__nameAsText) {
      const performIO = owner.performIO;
      owner.performIO = async function (query) {
        const result = await performIO.call(this, query);
        for (const field of result.fields) if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
        return result;
      };
      owner.__nameAsText = true;
    }
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  };
}
