// Says whether the DuckDB-Wasm that Evidence uses (for `evidence sources`, `evidence build` and
// the pages in the browser) can read and write Parquet without fetching anything. Evidence keeps
// every source query's result as Parquet; when DuckDB-Wasm has no parquet extension built in, it
// fetches parquet.duckdb_extension.wasm from extensions.duckdb.org on first use, and in Node that
// request blocks for good when the host cannot be reached. This script only asks
// duckdb_extensions(); it sends nothing over the network.
// Prints one JSON line. Exit 0; with --require, exit 4 when parquet is not built in.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';
import { initDB, query } from '@evidence-dev/universal-sql/client-duckdb';

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@duckdb/duckdb-wasm'));
const wasmPackage = JSON.parse(fs.readFileSync(path.join(wasmDir, '..', 'package.json'), 'utf-8'));

await initDB();
const [{ version }] = await query('select version() as version');
const [parquet] = await query(
	"select loaded, installed, install_mode from duckdb_extensions() where extension_name = 'parquet'"
);
const builtin = Boolean(parquet && (parquet.loaded || parquet.install_mode === 'STATICALLY_LINKED'));
const report = {
	package: `${wasmPackage.name}@${wasmPackage.version}`,
	duckdb: version,
	parquet_loaded: Boolean(parquet?.loaded),
	parquet_install_mode: parquet?.install_mode ?? null,
	parquet_builtin: builtin
};
console.log(JSON.stringify(report));
if (!builtin && process.argv.includes('--require')) {
	console.error(
		`${report.package} (DuckDB ${version}) has no parquet extension built in: it fetches ` +
			'parquet.duckdb_extension.wasm from https://extensions.duckdb.org on first use, and no npm ' +
			'package provides that file.'
	);
	process.exit(4);
}
process.exit(0);
