#include "model/xgboost_booster.h"

#include <xgboost/c_api.h>

#include <cmath>

namespace churnwatch::model {
namespace {

Status XgbError(const std::string& what) {
  return Internal("XGBoost " + what + ": " + XGBGetLastError());
}

// A DMatrix for the duration of one call.
class Matrix {
 public:
  Matrix() = default;
  ~Matrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  Status Create(const std::vector<float>& data, size_t rows, size_t cols) {
    if (XGDMatrixCreateFromMat(data.data(), rows, cols, NAN, &handle_) != 0)
      return XgbError("DMatrix");
    return Status::Ok();
  }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

Result<BoosterHandle> NewBooster(const DMatrixHandle* data, bst_ulong n) {
  BoosterHandle booster = nullptr;
  if (XGBoosterCreate(data, n, &booster) != 0) return XgbError("booster");
  // Quiet: warnings would land in the engine's stderr, not its log.
  XGBoosterSetParam(booster, "verbosity", "0");
  XGBoosterSetParam(booster, "nthread", "1");
  return booster;
}

}  // namespace

XgbBooster::~XgbBooster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

Result<std::unique_ptr<XgbBooster>> XgbBooster::Train(const std::vector<float>& matrix, size_t rows,
                                                      size_t cols, const std::vector<float>& labels,
                                                      const XgbTrainParams& params) {
  if (rows == 0 || cols == 0 || matrix.size() != rows * cols || labels.size() != rows)
    return InvalidArgument("XGBoost training needs rows × cols values and one label per row");
  Matrix data;
  if (Status s = data.Create(matrix, rows, cols); !s.ok()) return s;
  if (XGDMatrixSetFloatInfo(data.get(), "label", labels.data(), rows) != 0)
    return XgbError("labels");
  DMatrixHandle handles[] = {data.get()};
  auto created = NewBooster(handles, 1);
  if (!created.ok()) return created.status();
  std::unique_ptr<XgbBooster> booster(new XgbBooster(*created));
  const std::pair<const char*, std::string> settings[] = {
      {"objective", "binary:logistic"},
      {"tree_method", "exact"},
      {"seed", "0"},
      {"max_depth", std::to_string(params.max_depth)},
      {"eta", std::to_string(params.learning_rate)},
      {"lambda", std::to_string(params.l2)},
      {"min_child_weight", std::to_string(params.min_child_weight)},
  };
  for (const auto& [name, value] : settings) {
    if (XGBoosterSetParam(booster->handle_, name, value.c_str()) != 0)
      return XgbError(std::string("parameter ") + name);
  }
  for (int round = 0; round < params.rounds; ++round) {
    if (XGBoosterUpdateOneIter(booster->handle_, round, data.get()) != 0)
      return XgbError("boosting round " + std::to_string(round));
  }
  return booster;
}

Result<std::unique_ptr<XgbBooster>> XgbBooster::FromJson(const std::string& model_json) {
  auto created = NewBooster(nullptr, 0);
  if (!created.ok()) return created.status();
  std::unique_ptr<XgbBooster> booster(new XgbBooster(*created));
  if (model_json.empty() || model_json.front() != '{' ||
      XGBoosterLoadModelFromBuffer(booster->handle_, model_json.data(), model_json.size()) != 0)
    return InvalidArgument(std::string("not an XGBoost JSON model: ") +
                           (model_json.empty() || model_json.front() != '{'
                                ? "it is not a JSON object"
                                : XGBGetLastError()));
  return booster;
}

Result<std::string> XgbBooster::ToJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  bst_ulong length = 0;
  const char* bytes = nullptr;
  if (XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &length, &bytes) != 0)
    return XgbError("save");
  return std::string(bytes, length);
}

Result<size_t> XgbBooster::Columns() const {
  std::lock_guard<std::mutex> lock(mu_);
  bst_ulong n = 0;
  if (XGBoosterGetNumFeature(handle_, &n) != 0) return XgbError("feature count");
  return static_cast<size_t>(n);
}

Status XgbBooster::Predict(const std::vector<float>& matrix, size_t rows, size_t cols, int type,
                           std::vector<float>* out) const {
  Matrix data;
  if (Status s = data.Create(matrix, rows, cols); !s.ok()) return s;
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                             R"( "strict_shape": false})";
  std::lock_guard<std::mutex> lock(mu_);
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(handle_, data.get(), config.c_str(), &shape, &dims, &result) != 0)
    return XgbError("prediction");
  size_t n = 1;
  for (bst_ulong d = 0; d < dims; ++d) n *= static_cast<size_t>(shape[d]);
  out->assign(result, result + n);
  return Status::Ok();
}

Status XgbBooster::Margins(const std::vector<float>& matrix, size_t rows, size_t cols,
                           std::vector<float>* margins) const {
  if (Status s = Predict(matrix, rows, cols, /*output margin*/ 1, margins); !s.ok()) return s;
  if (margins->size() != rows) return Internal("XGBoost returned an unexpected margin shape");
  return Status::Ok();
}

Status XgbBooster::Contributions(const std::vector<float>& row, std::vector<float>* out) const {
  if (Status s = Predict(row, 1, row.size(), /*contributions*/ 2, out); !s.ok()) return s;
  if (out->size() != row.size() + 1)
    return Internal("XGBoost returned an unexpected contribution shape");
  return Status::Ok();
}

}  // namespace churnwatch::model
