/**
 * The recipes, checked without a nucleus: each is a valid Greengrass v2 recipe by the schema the
 * nucleus itself validates against, and their defaults let all services run on one core.
 */
import { recipeProblems } from '../../../lib/delivery/recipe';
import {
  type EdgeComponent,
  modelComponent,
  recipeOf,
  renderRecipe,
  SERVICES,
} from '../src/edge-components';

const services = Object.values(SERVICES);
const allComponents: EdgeComponent[] = [...services, modelComponent('unused')];
const settingsOf = (component: EdgeComponent) =>
  recipeOf(component).ComponentConfiguration.DefaultConfiguration.settings;
const lifecycleOf = (component: EdgeComponent) => recipeOf(component).Manifests[0].Lifecycle;

describe.each(allComponents.map((component) => [component.name, component] as const))(
  'the recipe of %s',
  (_, component) => {
    it('is a valid Greengrass v2 recipe once published', () => {
      expect(recipeProblems(renderRecipe(component, '1.2.3'))).toEqual([]);
    });

    it('names no path of a default Greengrass installation', () => {
      expect(renderRecipe(component, '1.0.0')).not.toContain('/greengrass/v2');
    });

    it('runs from the folder the nucleus unpacks its artifact into', () => {
      const folder = component.artifactFile.replace(/\.zip$/, '');
      const [artifact] = recipeOf(component).Manifests[0].Artifacts;
      expect(artifact).toEqual({
        Uri: `s3://uns-mlops-local/${component.name}/1.0.0/${component.artifactFile}`,
        Unarchive: 'ZIP',
      });
      const steps = JSON.stringify(lifecycleOf(component));
      expect(steps).toContain(`{artifacts:decompressedPath}/${folder}`);
      expect(steps).not.toContain(`{artifacts:decompressedPath}/${folder}/${folder}`);
    });
  },
);

describe('the services on one core', () => {
  it('listen on HTTP ports of their own', () => {
    const ports = services.map((service) => settingsOf(service).http.port);
    expect(new Set(ports).size).toBe(services.length);
  });

  it('connect to the UNS broker with client ids of their own', () => {
    const ids = services.map((service) => {
      const settings = settingsOf(service);
      return (settings.broker ?? settings.mqtt).clientId;
    });
    expect(new Set(ids).size).toBe(services.length);
  });

  it('keep their data in their own work folder', () => {
    const dataFolders = {
      [SERVICES.validator.name]: [
        'UNS_VALIDATOR_WORK_DIR',
        settingsOf(SERVICES.validator).store.dataDir,
      ],
      [SERVICES.bridge.name]: ['UNS_BRIDGE_WORK_DIR', settingsOf(SERVICES.bridge).spool.dir],
    };
    for (const [name, [variable, folder]] of Object.entries(dataFolders)) {
      const service = services.find((candidate) => candidate.name === name)!;
      expect(lifecycleOf(service).Setenv[variable]).toBe('{work:path}');
      expect(folder).not.toMatch(/^\//);
    }
  });
});
