// Runs every source query of this project the way `evidence sources` does: Evidence's own
// source loader (sources/*/connection.yaml, EVIDENCE_SOURCE__<source>__<option> overrides),
// its DuckDB connector and the connector's connection test, then prints each query's column
// types and rows as JSON on stdout. It stops before Evidence's Parquet step, which needs
// DuckDB-Wasm's parquet extension (see scripts/duckdb-wasm-parquet.mjs).
// Run from bi/evidence: node scripts/read-sources.mjs
import { loadSources, loadSourcePlugins } from '@evidence-dev/sdk/plugins';
import fs from 'fs/promises';
import path from 'path';

const toJson = (value) => (value instanceof Date ? value.toISOString() : value);

const sources = await loadSources();
if (!sources.length) {
	console.error(`error: no sources found in ${path.resolve('sources')}`);
	process.exit(2);
}
const plugins = await loadSourcePlugins();
const out = {};
for (const source of sources) {
	const plugin = plugins.getBySource(source.type);
	if (!plugin) {
		console.error(`error: no datasource plugin for ${source.name} (type ${source.type})`);
		process.exit(2);
	}
	const [, mod] = plugin;
	const test = await mod.testConnection(source.options, source.dir);
	if (test !== true) {
		console.error(`error: cannot connect to source ${source.name}: ${test.reason}`);
		process.exit(3);
	}
	const runner = await mod.getRunner(source.options, source.dir);
	out[source.name] = { options: source.options, queries: {} };
	for (const file of (await fs.readdir(source.dir)).sort()) {
		if (!file.endsWith('.sql')) continue;
		const sql = await fs.readFile(path.join(source.dir, file), 'utf-8');
		const result = await runner(sql, path.join(source.dir, file), 100000);
		const rows = [];
		for await (const batch of result.rows()) {
			for (const row of batch) rows.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toJson(v)])));
		}
		out[source.name].queries[file.replace(/\.sql$/, '')] = {
			columnTypes: result.columnTypes,
			expectedRowCount: result.expectedRowCount,
			rows
		};
		console.error(`  ${source.name}.${file.replace(/\.sql$/, '')}: ${rows.length} rows`);
	}
}
process.stdout.write(JSON.stringify(out));
