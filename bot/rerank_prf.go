package bot

// PRF is a setting of pseudo-relevance feedback: the question is widened
// with the words of Search's top Docs candidates, each weighing Weight
// times the question (its vector scaled to the question's norm). It feeds
// the re-ranker's feedback signal (rerank.go) and the learned model's
// cos_feedback and rrf_feedback features; the model's setting is chosen by
// cross-validation inside each training fold (cmd/recall-bench) and ships
// beside its weights (rerank_weights.go).
type PRF struct {
	Docs   int
	Weight float64
}

// FusionPRF is the setting the fusion was chosen with and the zero PRF
// means: three candidates at half weight, set beforehand.
var FusionPRF = PRF{Docs: 3, Weight: 0.5}
