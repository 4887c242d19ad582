// Run queries against a DuckDB file opened read-only; print their rows as JSON.
// usage: node query.mjs DATABASE QUERIES.json
import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const [, , path, queriesFile] = process.argv;
const queries = JSON.parse(readFileSync(queriesFile, "utf8"));
const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
const connection = await instance.connect();
const results = [];
const tables = await connection.runAndReadAll("show tables");
results.push(tables.getRowsJson());
for (const sql of queries) {
  const reader = await connection.runAndReadAll(sql);
  results.push(reader.getRowsJson());
}
process.stdout.write(JSON.stringify(results));
