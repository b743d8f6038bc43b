// XgbBooster: the one place XGBoost's C API (Debian's libxgboost-dev) is called. A trained
// binary:logistic booster — trained here, or loaded from XGBoost's own JSON model format — and
// what the risk model needs of it: margins and per-feature TreeSHAP contributions. No XGBoost
// type or handle leaves this file pair; every XGBoost failure becomes a Status with
// XGBGetLastError's text.
//
// Thread-safety: Margin and Contributions lock the booster (XGBoost keeps the prediction
// buffer inside it), so one booster may serve several evaluator threads.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace churnwatch::model {

struct XgbTrainParams {
  int rounds = 300;             // boosting rounds (trees)
  int max_depth = 3;            // per tree
  double learning_rate = 0.05;  // eta: each tree's step
  double l2 = 1.0;              // lambda: L2 penalty on the leaf weights
  double min_child_weight = 5;  // smallest hessian sum in a leaf: no leaf for a handful of rows
};

class XgbBooster {
 public:
  // `matrix` is row-major rows × cols, NaN for missing; labels 0 or 1. One thread and a fixed
  // seed, without row or column sampling: the same rows give the same trees.
  static Result<std::unique_ptr<XgbBooster>> Train(const std::vector<float>& matrix, size_t rows,
                                                   size_t cols, const std::vector<float>& labels,
                                                   const XgbTrainParams& params);
  // XGBoost's JSON model (what ToJson writes); InvalidArgument with XGBoost's reason when it
  // refuses the text.
  static Result<std::unique_ptr<XgbBooster>> FromJson(const std::string& model_json);

  ~XgbBooster();
  XgbBooster(const XgbBooster&) = delete;
  XgbBooster& operator=(const XgbBooster&) = delete;

  Result<std::string> ToJson() const;
  // The number of input columns the booster was trained on.
  Result<size_t> Columns() const;
  // Log-odds for each of `rows` rows of `cols` values.
  Status Margins(const std::vector<float>& matrix, size_t rows, size_t cols,
                 std::vector<float>* margins) const;
  // TreeSHAP for one row: `cols` contributions followed by the bias (the expected margin);
  // they sum to the row's margin.
  Status Contributions(const std::vector<float>& row, std::vector<float>* out) const;

 private:
  explicit XgbBooster(void* handle) : handle_(handle) {}
  Status Predict(const std::vector<float>& matrix, size_t rows, size_t cols, int type,
                 std::vector<float>* out) const;

  void* handle_;  // BoosterHandle
  mutable std::mutex mu_;
};

}  // namespace churnwatch::model
