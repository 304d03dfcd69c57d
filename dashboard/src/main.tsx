import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadConfig } from './config';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html lacks the #root element');
const root = createRoot(container);
loadConfig().then(
  (config) => {
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(
      <main>
        <p role="alert" className="error">
          The dashboard could not start: {error instanceof Error ? error.message : String(error)}
        </p>
      </main>,
    );
  },
);
