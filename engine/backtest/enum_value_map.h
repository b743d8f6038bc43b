// EnumValueMap: how `import csv` turns the enum cells of an export into the contract's values.
//
// Exports write enums in their own words ("会议取消", "Closed Lost", "P1"); `--map
// FIELD=FROM:TO` (repeatable) says which contract value each word means. A cell resolves
// through the table first (exactly, then in any ASCII case), else as a value name of the
// field's protobuf enum (any case, short "meeting_cancelled" or prefixed
// "CONTACT_KIND_MEETING_CANCELLED"). `FIELD=FROM:` (nothing after the colon) maps FROM to
// "absent", for placeholders such as "-" or "N/A".
//
// Thread-safety: immutable after Parse; Resolve is const.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace google::protobuf {
class EnumDescriptor;
}

namespace churnwatch::backtest {

class EnumValueMap {
 public:
  // An enum field of a topic: its name as the flags spell it ("kind", "contact-role") and its
  // protobuf enum type.
  struct Field {
    std::string name;
    const google::protobuf::EnumDescriptor* type;
  };

  // Parses `specs` ("FIELD=FROM:TO"; FROM may contain ':', the last one separates TO) for a
  // topic with `fields`. InvalidArgument naming the spec when it has no '=' or ':', FIELD is
  // not one of `fields` (they are listed), TO is not a value of FIELD (its values are listed)
  // or FROM is mapped twice to different values.
  static Result<EnumValueMap> Parse(const std::vector<std::string>& specs,
                                    std::vector<Field> fields, const std::string& topic);

  // The short contract value ("MEETING_CANCELLED") that `text` means for `field`; "" for an
  // empty cell or one mapped to absent. InvalidArgument "FIELD 'text' is not one of A, B...;
  // map it with --map FIELD=text:VALUE" when neither the table nor the enum knows it. `field`
  // must be one of the Parse fields.
  Result<std::string> Resolve(const std::string& field, const std::string& text) const;

  // The short value names of `field` (without UNSPECIFIED), comma separated, for messages.
  std::string ValueList(const std::string& field) const;

 private:
  const Field* Find(const std::string& field) const;

  std::vector<Field> fields_;
  std::map<std::pair<std::string, std::string>, std::string> table_;  // (field, FROM) -> TO
};

}  // namespace churnwatch::backtest
