// Stops with one clear line when Node is older than Tierline needs. better-sqlite3 13 (the SQLite driver) needs
// Node 22 (and some tools need 22.15); on Node 20 it crashes with a segfault and no message. Every entry point that loads the
// database (npm start, demo, worker) imports this module first, before anything native loads, so it is plain JavaScript that any Node runs.
// `npm ci` itself is stopped by `engine-strict=true` in .npmrc against `engines.node` in package.json.
// Keep NEEDED in step with package.json's engines and .nvmrc.
import process from "node:process";

const NEEDED = [22, 15];
const found = process.versions.node;
const [major, minor] = found.split(".").map(Number);

if (major < NEEDED[0] || (major === NEEDED[0] && minor < NEEDED[1])) {
  process.stderr.write(
    `Tierline needs Node ${NEEDED.join(".")} or newer, found ${found}: install Node 22 (\`nvm install\` reads .nvmrc; or https://nodejs.org/en/download), then run \`npm ci\` again.\n`,
  );
  process.exit(1);
}
