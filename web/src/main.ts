import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';
import { onUnauthorized } from './api';
import { session } from './session';

// A session that expires or is revoked while a page is open sends the user back to the login page.
onUnauthorized(() => {
  session.forget();
  const current = router.currentRoute.value;
  if (!current.meta.public) {
    void router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});

document.documentElement.lang = i18n.global.locale.value;

createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app');
