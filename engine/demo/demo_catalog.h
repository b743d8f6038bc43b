// Reference data of the demo world (internal to engine/demo): the sales organisation (account
// managers, executive sponsors), regions and their cities, industries, product lines with unit
// prices, and realistic Chinese company names built from word lists.
//
// Everything is constant data; the functions only read it. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "demo/demo_random.h"

namespace churnwatch::demo::internal {

struct DemoPerson {
  const char* id;
  const char* name;   // Chinese display name
  const char* email;  // pinyin address at example.com
};

struct DemoRegion {
  const char* name;  // "华东"
  double weight;     // share of accounts
  std::span<const char* const> cities;
  std::span<const int> managers;  // indices into AccountManagers()
  int sponsor;                    // index into ExecutiveSponsors()
};

struct DemoIndustry {
  const char* name;                         // the `industry` field, e.g. "汽车零部件"
  std::span<const char* const> name_words;  // business words in company names, e.g. "汽车部件"
};

struct DemoProductLine {
  const char* name;          // the `product_line` field, e.g. "bearings"
  int64_t unit_price_minor;  // list price per unit in CNY cents
};

// The ~8 account managers (客户经理) who own accounts and receive their warnings.
std::span<const DemoPerson> AccountManagers();
// The sales directors (营销总监) acting as executive sponsors; one per group of regions.
std::span<const DemoPerson> ExecutiveSponsors();
std::span<const DemoRegion> Regions();
std::span<const DemoIndustry> Industries();
std::span<const DemoProductLine> ProductLines();

// A company name such as "苏州恒信精密机械有限公司": a city of the region (sometimes the region
// itself), a trade name, a business word of the industry, and a legal-form suffix (groups and
// joint-stock companies are likelier in the upper tiers). Not necessarily unique: the caller
// redraws on collision.
std::string CompanyName(Rng& rng, const DemoRegion& region, const DemoIndustry& industry,
                        bool upper_tier);

}  // namespace churnwatch::demo::internal
