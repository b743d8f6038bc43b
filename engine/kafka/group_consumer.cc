#include "kafka/group_consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <thread>

#include "kafka/log_bridge.h"

namespace churnwatch::kafka {
namespace {

std::vector<TopicPartition> ToOurs(const std::vector<RdKafka::TopicPartition*>& parts) {
  std::vector<TopicPartition> out;
  out.reserve(parts.size());
  for (auto* p : parts) out.push_back({p->topic(), Partition(p->partition())});
  return out;
}

}  // namespace

struct GroupConsumer::Impl : public RdKafka::RebalanceCb {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::map<TopicPartition, std::unique_ptr<RdKafka::Queue>> partition_queues;
  RebalanceListener* listener = nullptr;
  Status latched;
  bool closed = false;
  bool joined = false;  // subscribed or assigned: only then has close() anything to leave

  ConsumerFaults faults;
  std::map<TopicPartition, int> to_drop;  // ConsumerFaults::drop_after_assign, left per queue

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      auto offsets = listener->OnAssigned(ToOurs(partitions));
      if (!offsets.ok()) {
        latched = offsets.status();
        c->unassign();
        return;
      }
      // Detach every partition queue from the consumer queue BEFORE assign(): assign() starts
      // fetching at once, and librdkafka forwards a fetch queue to the consumer queue unless
      // the application has set its forwarding itself. Detaching after assign() let what was
      // fetched in between reach the consumer queue, splitting a partition between two queues
      // whose messages then arrived out of order (issue 10: events lost).
      partition_queues.clear();
      to_drop.clear();
      for (auto* p : partitions) {
        std::unique_ptr<RdKafka::Queue> q(c->get_partition_queue(p));
        if (!q) {
          latched = Internal("no partition queue for " + p->topic() + "[" +
                             std::to_string(p->partition()) + "]");
          c->unassign();
          return;
        }
        q->forward(nullptr);
        TopicPartition tp{p->topic(), Partition(p->partition())};
        partition_queues[tp] = std::move(q);
        if (faults.drop_after_assign > 0) to_drop[tp] = faults.drop_after_assign;
      }
      for (size_t i = 0; i < partitions.size(); ++i) partitions[i]->set_offset((*offsets)[i]);
      RdKafka::ErrorCode e = c->assign(partitions);
      if (e != RdKafka::ERR_NO_ERROR) {
        latched = Unavailable("assign failed: " + RdKafka::err2str(e));
        return;
      }
      if (faults.assign_delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(faults.assign_delay_ms));
    } else {
      listener->OnRevoked(ToOurs(partitions));
      partition_queues.clear();
      to_drop.clear();
      c->unassign();
    }
  }
};

GroupConsumer::GroupConsumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GroupConsumer::~GroupConsumer() { Close(); }

Result<std::unique_ptr<GroupConsumer>> GroupConsumer::Create(const std::string& bootstrap,
                                                             const std::string& group,
                                                             const ClientProperties& extra,
                                                             RebalanceListener* listener) {
  auto impl = std::make_unique<Impl>();
  impl->listener = listener;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  ClientProperties props = {
      {"bootstrap.servers", bootstrap},
      {"group.id", group},
      {"partition.assignment.strategy", "range"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"session.timeout.ms", "10000"},
      {"enable.partition.eof", "false"},
      {"log_level", "6"},
  };
  for (const auto& [k, v] : extra) props[k] = v;
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return InvalidArgument("kafka property " + k + "=" + v + ": " + err);
    }
  }
  InstallLogBridge(conf.get());
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(impl.get()), err) !=
      RdKafka::Conf::CONF_OK) {
    return Internal(err);
  }
  impl->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!impl->consumer) return InvalidArgument("cannot create Kafka consumer: " + err);
  return std::unique_ptr<GroupConsumer>(new GroupConsumer(std::move(impl)));
}

Result<std::map<std::string, int>> GroupConsumer::PartitionCounts(
    const std::vector<std::string>& topics, int timeout_ms) {
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode e = impl_->consumer->metadata(true, nullptr, &raw, timeout_ms);
  if (e != RdKafka::ERR_NO_ERROR) {
    return Unavailable("no metadata from the Kafka cluster within " + std::to_string(timeout_ms) +
                       " ms (" + RdKafka::err2str(e) + "); is --bootstrap right?");
  }
  std::unique_ptr<RdKafka::Metadata> md(raw);
  std::map<std::string, int> counts;
  for (const auto& want : topics) {
    bool found = false;
    for (const auto* t : *md->topics()) {
      if (t->topic() == want && t->err() == RdKafka::ERR_NO_ERROR) {
        counts[want] = static_cast<int>(t->partitions()->size());
        found = true;
      }
    }
    if (!found) return NotFound("topic '" + want + "' does not exist on the cluster");
  }
  return counts;
}

Status GroupConsumer::Subscribe(const std::vector<std::string>& topics) {
  RdKafka::ErrorCode e = impl_->consumer->subscribe(topics);
  if (e != RdKafka::ERR_NO_ERROR)
    return InvalidArgument("subscribe failed: " + RdKafka::err2str(e));
  impl_->joined = true;
  return Status::Ok();
}

namespace {

// Copies a librdkafka message into ours.
void CopyMessage(const RdKafka::Message& m, ConsumedMessage& cm);

}  // namespace

void GroupConsumer::PollPartition(const TopicPartition& tp, size_t max,
                                  std::vector<ConsumedMessage>* out) {
  auto it = impl_->partition_queues.find(tp);
  if (it == impl_->partition_queues.end()) return;
  for (size_t got = 0; got < max; ++got) {
    std::unique_ptr<RdKafka::Message> m(it->second->consume(0));
    if (!m || m->err() == RdKafka::ERR__TIMED_OUT) return;
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;  // transient; librdkafka retries
    if (auto drop = impl_->to_drop.find(tp); drop != impl_->to_drop.end() && drop->second > 0) {
      --drop->second;  // injected fault: lost in delivery
      continue;
    }
    CopyMessage(*m, out->emplace_back());
  }
}

Status GroupConsumer::Poll(size_t max, int timeout_ms, std::vector<ConsumedMessage>* out) {
  int wait = timeout_ms;
  size_t got = 0;
  while (got < max) {
    std::unique_ptr<RdKafka::Message> m(impl_->consumer->consume(wait));
    if (!impl_->latched.ok()) return impl_->latched;
    if (!m) break;
    RdKafka::ErrorCode e = m->err();
    if (e == RdKafka::ERR__TIMED_OUT) break;
    if (e != RdKafka::ERR_NO_ERROR) {
      if (e == RdKafka::ERR__FATAL) return Unavailable("fatal Kafka error: " + m->errstr());
      // Transient (broker down, partition EOF...): librdkafka retries by itself.
      wait = 0;
      continue;
    }
    CopyMessage(*m, out->emplace_back());
    ++got;
    wait = 0;  // drain what is already fetched, do not wait for more
  }
  return Status::Ok();
}

namespace {

void CopyMessage(const RdKafka::Message& mr, ConsumedMessage& cm) {
  auto* m = const_cast<RdKafka::Message*>(&mr);  // headers() is not const in the C++ API
  cm.topic = m->topic_name();
  cm.partition = Partition(m->partition());
  cm.offset = Offset(m->offset());
  if (m->key() != nullptr) {
    cm.has_key = true;
    cm.key = *m->key();
  }
  cm.payload.assign(static_cast<const char*>(m->payload()), m->len());
  cm.timestamp_ms = m->timestamp().timestamp;
  if (RdKafka::Headers* h = m->headers()) {
    for (const auto& header : h->get_all()) {
      const char* v = static_cast<const char*>(header.value());
      cm.headers.emplace_back(header.key(),
                              v == nullptr ? std::string() : std::string(v, header.value_size()));
    }
  }
}

}  // namespace

Status GroupConsumer::AssignAll(const std::string& topic, bool from_beginning, int timeout_ms) {
  auto counts = PartitionCounts({topic}, timeout_ms);
  if (!counts.ok()) return counts.status();
  std::vector<RdKafka::TopicPartition*> parts;
  for (int p = 0; p < counts->at(topic); ++p) {
    parts.push_back(RdKafka::TopicPartition::create(
        topic, p, from_beginning ? RdKafka::Topic::OFFSET_BEGINNING : RdKafka::Topic::OFFSET_END));
  }
  RdKafka::ErrorCode e = impl_->consumer->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (e != RdKafka::ERR_NO_ERROR) return Unavailable("assign failed: " + RdKafka::err2str(e));
  impl_->joined = true;
  return Status::Ok();
}

Status GroupConsumer::Seek(const TopicPartition& tp, int64_t offset, int timeout_ms) {
  impl_->to_drop.erase(tp);  // the injected loss hits what was fetched at assignment only
  std::unique_ptr<RdKafka::TopicPartition> part(
      RdKafka::TopicPartition::create(tp.topic, tp.partition.value(), offset));
  RdKafka::ErrorCode e = impl_->consumer->seek(*part, timeout_ms);
  if (e != RdKafka::ERR_NO_ERROR) {
    return Unavailable("seek of " + tp.topic + "[" + std::to_string(tp.partition.value()) +
                       "] to offset " + std::to_string(offset) + " failed: " + RdKafka::err2str(e));
  }
  return Status::Ok();
}

void GroupConsumer::InjectFaults(const ConsumerFaults& faults) { impl_->faults = faults; }

void GroupConsumer::CommitAsync(const std::map<TopicPartition, int64_t>& next_offsets) {
  if (next_offsets.empty()) return;
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& [tp, off] : next_offsets) {
    parts.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition.value(), off));
  }
  impl_->consumer->commitAsync(
      parts);  // failure (e.g. during rebalance) is harmless: the store has the truth
  RdKafka::TopicPartition::destroy(parts);
}

int64_t GroupConsumer::HighWatermark(const TopicPartition& tp) {
  int64_t low = -1, high = -1;
  if (impl_->consumer->get_watermark_offsets(tp.topic, tp.partition.value(), &low, &high) !=
      RdKafka::ERR_NO_ERROR) {
    return -1;
  }
  return high;
}

void GroupConsumer::Close() {
  if (impl_->closed || !impl_->consumer) return;
  impl_->closed = true;
  // close() leaves the group; a consumer that never joined has nothing to leave, and close()
  // would wait on an unreachable broker.
  if (impl_->joined) impl_->consumer->close();
}

}  // namespace churnwatch::kafka
