// Allure 3 configuration for wcc (used by reports/allure_html.py; `npx allure generate` reads it).
// Categories live in reports/categories.json, shared with the Allure 2 style categories.json
// that reports.plugin writes into the results directory.
import { readFileSync } from "node:fs";
import { defineConfig } from "allure";

const categories = JSON.parse(readFileSync(new URL("./reports/categories.json", import.meta.url), "utf8"));

export default defineConfig({
  name: "wcc conformance",
  output: "reports/out/allure-report",
  // the history file (JSON lines) that carries trends and "new failed" from night to night
  ...(process.env.WCC_ALLURE_HISTORY ? { historyPath: process.env.WCC_ALLURE_HISTORY } : {}),
  categories: { rules: categories.map(({ description, ...rule }) => rule) },
  plugins: {
    awesome: {
      options: {
        reportName: "wcc conformance",
        // one index.html that opens from disk; WCC_ALLURE_SINGLE_FILE=0 writes the data as separate files
        singleFile: process.env.WCC_ALLURE_SINGLE_FILE !== "0",
        groupBy: ["epic", "feature", "story"],
      },
    },
  },
});
