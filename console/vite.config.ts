import { defineConfig } from 'vite';

// The page is served by every master under /console/; Maven packs target/classes/tessera-console into the jar.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'target/classes/tessera-console',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 200,
  },
});
