// @drover/appspec/test-support: the appspec-location edge cases, the same cases as tar, zip and directory bundles for
// the tests of every reader that hands entries to locateAppSpec, and the archive writers that build them.
export {
  APPSPEC_EDGE_CASES,
  EDGE_APPSPEC,
  edgeFileBody,
  type AppSpecEdgeCase,
  type EdgeEntry,
  type EdgeExpectation,
} from './appspec-edge-cases';
export { edgeCaseTar, edgeCaseZip, writeEdgeCaseDir } from './edge-case-bundles';
export { makeUstar, makeZip, type UstarEntry, type ZipEntry } from './archive-writers';
export {
  APPSPEC_CORPUS,
  APPSPEC_CORPUS_DIR,
  corpusNames,
  corpusText,
  type CorpusCase,
  type CorpusExpectation,
  type CorpusWarning,
} from './corpus-manifest';
