import { useState } from 'preact/hooks';
import { signIn } from '../lib/auth.js';
import { t, lang, setLang, zh } from '../lib/i18n.js';
import { signedIn } from '../lib/sync.js';

export function SignIn({ expired, email: knownEmail }) {
  const [email, setEmail] = useState(knownEmail || '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const answer = await signIn(email.trim(), password, lang());
    setBusy(false);
    if (answer.ok) {
      await signedIn(answer.session);
      return;
    }
    if (answer.status === 0) setError(t('signin.offline'));
    else if (answer.status === 401) setError(t('signin.wrong'));
    else if (answer.status === 429) setError(answer.problem?.detail || t('signin.tooMany'));
    else setError(answer.problem?.detail || answer.problem?.title || t('error.generic', { status: answer.status }));
  }

  return (
    <section class="page signin" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('signin.title')}</h1>
      <p class="lead">{t('signin.lead')}</p>
      {expired && (
        <p class="note note-warn" role="status">
          {t('signin.expired')}
        </p>
      )}
      <form onSubmit={submit} novalidate={false}>
        <div class="field">
          <label for="email">{t('signin.email')}</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            inputmode="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="password">{t('signin.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
      </form>
      <button type="button" class="btn btn-link lang-switch" onClick={() => setLang(zh() ? 'en' : 'zh-CN')} lang={zh() ? 'en' : 'zh-CN'}>
        {zh() ? 'English' : '中文'}
      </button>
    </section>
  );
}
