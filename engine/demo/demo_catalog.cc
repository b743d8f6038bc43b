#include "demo/demo_catalog.h"

#include <array>

namespace churnwatch::demo::internal {
namespace {

constexpr std::array<DemoPerson, 8> kManagers{{
    {"E1001", "张伟", "zhang.wei@example.com"},
    {"E1002", "王芳", "wang.fang@example.com"},
    {"E1003", "李娜", "li.na@example.com"},
    {"E1004", "刘洋", "liu.yang@example.com"},
    {"E1005", "陈静", "chen.jing@example.com"},
    {"E1006", "杨磊", "yang.lei@example.com"},
    {"E1007", "赵敏", "zhao.min@example.com"},
    {"E1008", "黄涛", "huang.tao@example.com"},
}};

constexpr std::array<DemoPerson, 4> kSponsors{{
    {"E2001", "周建国", "zhou.jianguo@example.com"},
    {"E2002", "吴海燕", "wu.haiyan@example.com"},
    {"E2003", "孙志强", "sun.zhiqiang@example.com"},
    {"E2004", "郑丽华", "zheng.lihua@example.com"},
}};

constexpr std::array<const char*, 9> kEastCities{"上海", "苏州", "无锡", "宁波", "杭州",
                                                 "南京", "合肥", "青岛", "厦门"};
constexpr std::array<const char*, 4> kNorthCities{"北京", "天津", "石家庄", "太原"};
constexpr std::array<const char*, 4> kSouthCities{"广州", "深圳", "东莞", "佛山"};
constexpr std::array<const char*, 3> kSouthwestCities{"成都", "重庆", "昆明"};
constexpr std::array<const char*, 3> kCentralCities{"武汉", "长沙", "郑州"};
constexpr std::array<const char*, 2> kNorthwestCities{"西安", "兰州"};

constexpr std::array<int, 3> kEastManagers{0, 1, 2};
constexpr std::array<int, 1> kNorthManagers{3};
constexpr std::array<int, 2> kSouthManagers{4, 5};
constexpr std::array<int, 1> kSouthwestManagers{6};
constexpr std::array<int, 1> kCentralManagers{7};
constexpr std::array<int, 1> kNorthwestManagers{3};

const std::array<DemoRegion, 6> kRegions{{
    {"华东", 0.35, kEastCities, kEastManagers, 0},
    {"华北", 0.17, kNorthCities, kNorthManagers, 2},
    {"华南", 0.20, kSouthCities, kSouthManagers, 1},
    {"西南", 0.10, kSouthwestCities, kSouthwestManagers, 3},
    {"华中", 0.12, kCentralCities, kCentralManagers, 3},
    {"西北", 0.06, kNorthwestCities, kNorthwestManagers, 2},
}};

constexpr std::array<const char*, 3> kAutoWords{"汽车部件", "汽配", "精密机械"};
constexpr std::array<const char*, 3> kElectronicsWords{"电子科技", "微电子", "智能科技"};
constexpr std::array<const char*, 3> kMachineryWords{"重工", "机械", "装备制造"};
constexpr std::array<const char*, 3> kEnergyWords{"新能源", "光伏科技", "储能科技"};
constexpr std::array<const char*, 2> kChemicalWords{"化工", "新材料"};
constexpr std::array<const char*, 2> kFoodWords{"食品", "饮料"};
constexpr std::array<const char*, 2> kMedicalWords{"医疗器械", "生物医疗"};
constexpr std::array<const char*, 2> kLogisticsWords{"物流", "供应链管理"};
constexpr std::array<const char*, 2> kBuildingWords{"建材", "建筑科技"};
constexpr std::array<const char*, 2> kApplianceWords{"电器", "家电"};

const std::array<DemoIndustry, 10> kIndustries{{
    {"汽车零部件", kAutoWords},
    {"电子制造", kElectronicsWords},
    {"工程机械", kMachineryWords},
    {"新能源", kEnergyWords},
    {"化工", kChemicalWords},
    {"食品饮料", kFoodWords},
    {"医疗器械", kMedicalWords},
    {"物流", kLogisticsWords},
    {"建筑材料", kBuildingWords},
    {"家电", kApplianceWords},
}};

// Unit prices in cents: bearings and sensors are cheap and bought in bulk, controllers dear.
constexpr std::array<DemoProductLine, 5> kProductLines{{
    {"bearings", 4'500},
    {"sensors", 18'000},
    {"motors", 95'000},
    {"controllers", 260'000},
    {"services", 60'000},  // per engineer-hour
}};

constexpr std::array<const char*, 32> kTradeNames{
    "恒信", "华瑞", "鼎新", "金源", "瑞丰", "宏达", "永泰", "天润", "博创", "凯盛", "海川",
    "信诚", "安捷", "盛世", "立德", "嘉和", "明远", "启航", "众诚", "汇通", "同舟", "长风",
    "锦程", "德隆", "华泰", "新宇", "中科", "东升", "远大", "宝丰", "精工", "万达"};

}  // namespace

std::span<const DemoPerson> AccountManagers() { return kManagers; }
std::span<const DemoPerson> ExecutiveSponsors() { return kSponsors; }
std::span<const DemoRegion> Regions() { return kRegions; }
std::span<const DemoIndustry> Industries() { return kIndustries; }
std::span<const DemoProductLine> ProductLines() { return kProductLines; }

std::string CompanyName(Rng& rng, const DemoRegion& region, const DemoIndustry& industry,
                        bool upper_tier) {
  std::string name;
  if (rng.Chance(0.1)) {
    name = region.name;
  } else {
    name = region.cities[static_cast<size_t>(
        rng.Int(0, static_cast<int64_t>(region.cities.size()) - 1))];
  }
  name += kTradeNames[static_cast<size_t>(rng.Int(0, kTradeNames.size() - 1))];
  name += industry.name_words[static_cast<size_t>(
      rng.Int(0, static_cast<int64_t>(industry.name_words.size()) - 1))];
  double r = rng.Uniform();
  if (upper_tier) {
    name += r < 0.35 ? "集团有限公司" : r < 0.75 ? "股份有限公司" : "有限公司";
  } else {
    name += r < 0.08 ? "股份有限公司" : "有限公司";
  }
  return name;
}

}  // namespace churnwatch::demo::internal
