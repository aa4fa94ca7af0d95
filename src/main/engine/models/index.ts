/**
 * Models the studio can run: the catalogue and the exported-model format.
 * Nothing exported here loads tfjs, so the main thread can list models; the
 * worker side imports ./load-translator.js, ./load-exported-model.js and
 * ./export-model.js directly.
 */
export { createModelCatalogue, locateModelFolder } from './catalogue.js';
export type { ModelCatalogue, ModelLocation, CatalogueOptions, CatalogueProblem } from './catalogue.js';
export {
  readExportedModelManifest,
  ModelCard,
  EXPORTED_MODEL_FORMAT,
  EXPORTED_MODEL_FORMAT_VERSION,
  MODEL_FILE,
  MODEL_WEIGHTS_FILE,
} from './exported-model.js';
export type { ExportedModelManifest, ExportedTensor } from './exported-model.js';
