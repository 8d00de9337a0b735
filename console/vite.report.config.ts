import { defineConfig } from 'vite';

// The load harness report's charts: one IIFE (global TesseraReportCharts) and one CSS file, which
// loadtest's HtmlReport reads from the class path (tessera-report/) and inlines into report.html.
export default defineConfig({
  build: {
    outDir: 'target/classes/tessera-report',
    emptyOutDir: true,
    lib: {
      entry: 'src/report/charts.ts',
      name: 'TesseraReportCharts',
      formats: ['iife'],
      fileName: () => 'report-charts.js',
      cssFileName: 'report-charts',
    },
  },
});
