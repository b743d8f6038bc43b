// Strong types for the identifiers that flow through the engine, so that a partition can not
// be passed where an offset is expected and an account id is never a bare string.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace churnwatch {

// A value of T tagged with a phantom Tag; explicit construction, explicit access.
template <typename T, typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(T v) : v_(std::move(v)) {}
  const T& value() const { return v_; }
  auto operator<=>(const StrongId&) const = default;

 private:
  T v_{};
};

using AccountId = StrongId<std::string, struct AccountIdTag>;
using RuleId = StrongId<std::string, struct RuleIdTag>;
// Kafka partition number; also the id of the task and state store that own it.
using Partition = StrongId<int32_t, struct PartitionTag>;
// Kafka offset. A stored offset is always the NEXT offset to consume.
using Offset = StrongId<int64_t, struct OffsetTag>;

}  // namespace churnwatch

template <typename T, typename Tag>
struct std::hash<churnwatch::StrongId<T, Tag>> {
  size_t operator()(const churnwatch::StrongId<T, Tag>& id) const {
    return std::hash<T>()(id.value());
  }
};
