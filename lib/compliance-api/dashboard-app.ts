import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { DASHBOARD_OAUTH_SCOPES } from './compliance-users';

/** The React dashboard's workspace, built by its own `npm run build`. */
export const DASHBOARD_DIR = join(__dirname, '..', '..', 'dashboard');

/** The file beside `index.html` the dashboard reads its settings from. */
export const RUNTIME_CONFIG_FILE = 'config.json';

/**
 * `config.json` of the hosted dashboard: what `dashboard/src/config.ts` reads. Written at deploy
 * time, so one build serves every environment.
 */
export interface DashboardRuntimeConfig {
  /** Origin (and path prefix) of the compliance API; `''` is the dashboard's own origin. */
  readonly complianceApiBase: string;
  /** The anomaly API; `null`: there is none in the cloud, so its pages are hidden. */
  readonly anomalyApiBase: string | null;
  /** Seconds between two refreshes of a page's data. */
  readonly refreshSeconds: number;
  /** Sign-in with the Cognito hosted UI (authorization code + PKCE). */
  readonly auth: {
    /** The user pool's OpenID issuer, `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
    readonly authority: string;
    /** The dashboard's app client id. */
    readonly clientId: string;
    /** The hosted UI's origin, `https://<prefix>.auth.<region>.amazoncognito.com`. */
    readonly hostedUiDomain: string;
    /** OAuth scopes, space-separated. */
    readonly scope: string;
  };
}

/**
 * The dashboard's production build as a deployment source, built at synthesis by the workspace's
 * own `npm run build` into the asset folder (so `dashboard/dist` is neither needed nor touched),
 * without the local plant's default `config.json`: the deployment writes the environment's. The
 * asset hash is the hash of the built files (Vite names them by content), so an unchanged
 * dashboard uploads nothing.
 *
 * @throws Error with the build's output when the build fails or produces no `index.html`.
 */
export function dashboardBuild(directory: string = DASHBOARD_DIR): s3deploy.ISource {
  return s3deploy.Source.asset(directory, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local build below succeeds or throws.
      image: DockerImage.fromRegistry('uns-mlops/no-docker-needed'),
      local: {
        tryBundle(outputDir: string): boolean {
          buildDashboard(directory, outputDir);
          return true;
        },
      },
    },
  });
}

/** Runs the dashboard's build into `outputDir` and removes its default `config.json` there. */
export function buildDashboard(directory: string, outputDir: string): void {
  const build = spawnSync('npm', ['run', 'build', '--', '--outDir', outputDir, '--emptyOutDir'], {
    cwd: directory,
    encoding: 'utf8',
  });
  if (build.status !== 0 || !existsSync(join(outputDir, 'index.html'))) {
    throw new Error(
      [
        `Building the dashboard (npm run build in ${directory}) failed, so the hosted dashboard cannot be synthesized.`,
        'Run `npm ci` at the repository root, then `npm run build -w @uns-mlops/dashboard` to see the error:',
        build.error?.message ?? '',
        build.stdout,
        build.stderr,
      ]
        .filter((line) => line !== '')
        .join('\n'),
    );
  }
  rmSync(join(outputDir, RUNTIME_CONFIG_FILE), { force: true });
}

/** The parts of the Cognito users the dashboard's sign-in needs. */
export interface DashboardSignIn {
  /** The user pool's OpenID issuer. */
  readonly issuerUrl: string;
  /** The hosted UI's origin. */
  readonly hostedUiUrl: string;
  /** The dashboard's app client. */
  readonly dashboardClient: { readonly userPoolClientId: string };
}

/**
 * The hosted dashboard's `config.json`: the compliance API on the dashboard's own origin (`''`),
 * no anomaly API, sign-in with the dashboard's app client of `users`.
 */
export function hostedRuntimeConfig(
  users: DashboardSignIn,
  refreshSeconds: number,
): DashboardRuntimeConfig {
  return {
    complianceApiBase: '',
    anomalyApiBase: null,
    refreshSeconds,
    auth: {
      authority: users.issuerUrl,
      clientId: users.dashboardClient.userPoolClientId,
      hostedUiDomain: users.hostedUiUrl,
      scope: DASHBOARD_OAUTH_SCOPES.join(' '),
    },
  };
}
