// Vite config for the command-centre shell. Run from the repo root:
//   npx vite --config web/vite.config.ts         (dev server, proxies /api to the local server)
//   npx vite build --config web/vite.config.ts   (writes web/dist, served by the server)
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));
// Where the dev server (and `vite preview`) send /api; SHIYU_API_URL points them at another local server.
const apiTarget = process.env.SHIYU_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  define: {
    // Compile-time flags of vue-i18n and Vue; setting them avoids console warnings and dead code.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Keep the big libraries in their own cacheable chunks (pages are lazy-loaded per route).
        codeSplitting: {
          groups: [
            // Leaflet-Geoman extends the global `L` when it runs, so it is its own chunk, loaded after Leaflet.
            { name: 'geoman', test: /node_modules[\\/]@geoman-io[\\/]/, priority: 5 },
            // exceljs only loads when a list is exported as Excel.
            { name: 'exceljs', test: /node_modules[\\/]exceljs[\\/]/, priority: 5 },
            { name: 'leaflet', test: /node_modules[\\/]leaflet[\\/]/, priority: 4 },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 3 },
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus)[\\/]/, priority: 2 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
