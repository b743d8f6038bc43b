// Status and Result<T>: how every churnwatch subsystem reports expected failures.
//
// No exceptions cross a subsystem boundary, a thread boundary or the hot path; a function
// that can fail for reasons the caller must handle returns a [[nodiscard]] Status or
// Result<T>. The code says what kind of failure it is; the message says, in words a user can
// act on, what went wrong and where (flag, file:line, topic/partition/offset...).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace churnwatch {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a user or upstream system (flags, config, events)
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // creating something that is there
  kFailedPrecondition,  // the system is not in a state to do this (e.g. topics not co-partitioned)
  kUnavailable,         // a peer (Kafka, Alertmanager) cannot be reached now; retrying may help
  kIoError,             // the state store or a file failed
  kCorruption,          // stored data could not be decoded
  kInternal,            // a bug
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // Ignores the status on purpose; the call site says why in a comment.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace churnwatch

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define CW_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::churnwatch::Status cw_status_ = (expr); \
    if (!cw_status_.ok()) return cw_status_;  \
  } while (0)
