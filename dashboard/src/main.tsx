import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadConfig } from './config';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html lacks the #root element');
const root = createRoot(container);

/**
 * Reads `config.json`, then shows the dashboard; with `auth` configured, signs the user in first
 * (the sign-in code is loaded only then).
 */
async function start(): Promise<void> {
  const config = await loadConfig();
  if (config.auth === undefined) {
    show(<App config={config} />);
    return;
  }
  show(
    <main>
      <p role="status" className="loading">
        Signing in…
      </p>
    </main>,
  );
  const { startSession } = await import('./auth/cognito-session');
  const outcome = await startSession(config.auth);
  if (outcome.kind === 'signed-in') {
    show(<App config={config} session={outcome.session} />);
    return;
  }
  show(
    <main>
      <p role="alert" className="error">
        {outcome.reason}
      </p>
      <button type="button" onClick={outcome.signIn}>
        Sign in
      </button>
    </main>,
  );
}

function show(page: ReactNode): void {
  root.render(<StrictMode>{page}</StrictMode>);
}

start().catch((error: unknown) => {
  root.render(
    <main>
      <p role="alert" className="error">
        The dashboard could not start: {error instanceof Error ? error.message : String(error)}
      </p>
    </main>,
  );
});
