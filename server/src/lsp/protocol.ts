// The server's extensions to the protocol (docs/lsp.md): the commands it executes and its own requests and notifications.
export const Commands = {
  generateContract: 'perfcontract.server.generateContract',
  showWorstCase: 'perfcontract.server.showWorstCase',
  evaluateClass: 'perfcontract.server.evaluateClass',
  functionAt: 'perfcontract.server.functionAt',
} as const;

export const STATUS_NOTIFICATION = 'perfcontract/status';
export const LAST_ANALYSIS_REQUEST = 'perfcontract/lastAnalysis';
/** The contracts of a document and of a baseline (a git revision or a saved contract), for side-by-side views (docs/lsp.md). */
export const COMPARE_REQUEST = 'perfcontract/compare';
/** Distil a pcap trace on a packet handler and predict the workload it induces (docs/lsp.md). */
export const PREDICT_TRACE_REQUEST = 'perfcontract/predictTrace';
/** The lines of a document on screen (client -> server notification): its functions there are analysed first. */
export const VISIBLE_RANGES_NOTIFICATION = 'perfcontract/visibleRanges';
