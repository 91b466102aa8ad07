package io.drift.balancer.gossip;

import io.drift.balancer.BalancerWire;
import io.drift.balancer.LoadSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What one node knows of the others' load (Amar, Barak, Drezner, Okun; MOSIX-NOTES): the latest
 * sample of each node with its age in gossip intervals, never a timestamp, so no clocks need to
 * agree. Every interval everything held ages by one; a message carries the sender's own sample
 * (age 0), its {@code w} freshest entries and its urgent news; a receiver keeps an entry only if
 * it is fresher than the one it holds. Entries older than {@code maxAge} are dropped: the node is
 * taken for gone. Urgent news (a node that stopped taking guests, or left) rides along with
 * every message, whatever its age, for ⌊1.386·log₂N⌋ sends. Pure and not thread-safe: the
 * balancer actor owns one, the tests drive one directly.
 */
public final class GossipWindow {

  /**
   * One node's sample as a message carries it.
   *
   * @param age gossip intervals since the node took it
   * @param gone the node left: drop what is held of it that is older
   */
  public record Entry(String node, LoadSample sample, int age, boolean gone)
      implements BalancerWire {}

  /** One gossip message: from one node's balancer to one other's. */
  public record Message(String from, List<Entry> entries) implements BalancerWire {}

  private static final class Held {
    Entry entry;
    long atTick; // the tick at which entry.age was its age
    int urgent; // sends left that carry it as urgent news

    int age(long now) {
      return entry.age() + (int) (now - atTick);
    }
  }

  private final String self;
  private final int w;
  private final int maxAge;
  private final Map<String, Held> held = new HashMap<>();
  private long tick;

  public GossipWindow(String self, int w, int maxAge) {
    if (w < 1 || maxAge < 1) {
      throw new IllegalArgumentException("window and maximum age must be >= 1");
    }
    this.self = self;
    this.w = w;
    this.maxAge = maxAge;
  }

  /** One interval has passed: everything held is one older. Returns the nodes taken for gone. */
  public List<String> tick() {
    tick++;
    List<String> expired = new ArrayList<>();
    for (Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Held> e = it.next();
      if (e.getValue().age(tick) > maxAge) {
        it.remove();
        if (!e.getValue().entry.gone()) {
          expired.add(e.getKey());
        }
      }
    }
    return expired;
  }

  /**
   * Keeps {@code e} if it is fresher than what is held of its node: younger, or, from the same
   * incarnation, a later sample. Returns whether it was kept.
   */
  public boolean merge(Entry e) {
    if (e.node().equals(self) || e.age() > maxAge) {
      return false;
    }
    Held h = held.get(e.node());
    if (h != null && !fresher(e, h)) {
      return false;
    }
    boolean news = h == null || h.entry.gone() != e.gone()
        || (e.sample() != null && h.entry.sample() != null
            && e.sample().acceptingGuests() != h.entry.sample().acceptingGuests());
    if (h == null) {
      h = new Held();
      held.put(e.node(), h);
    }
    h.entry = e;
    h.atTick = tick;
    if (news && h.urgent == 0 && (e.gone() || !e.sample().acceptingGuests())) {
      h.urgent = urgentSends(); // what stops others sending here spreads first
    }
    return true;
  }

  private boolean fresher(Entry e, Held h) {
    int heldAge = h.age(tick);
    LoadSample mine = h.entry.sample();
    LoadSample theirs = e.sample();
    if (mine != null && theirs != null && mine.executorPath().equals(theirs.executorPath())) {
      return theirs.sequence() > mine.sequence()
          || (theirs.sequence() == mine.sequence() && e.age() < heldAge);
    }
    return e.age() < heldAge;
  }

  /** All of a message: each entry merged. */
  public void merge(Message m) {
    m.entries().forEach(this::merge);
  }

  /** Marks {@code node} as gone (it left the cluster), as urgent news. */
  public void gone(String node) {
    merge(new Entry(node, null, 0, true));
  }

  /** Priority of urgent news: ⌊1.386·log₂N⌋ sends, N the nodes known (at least 1). */
  int urgentSends() {
    int n = Math.max(2, held.size() + 1);
    return Math.max(1, (int) Math.floor(1.386 * Math.log(n) / Math.log(2)));
  }

  /** The message to send this interval: the own sample, the w freshest, and urgent news. */
  public Message message(LoadSample own) {
    List<Entry> out = new ArrayList<>(w + 2);
    out.add(new Entry(self, own, 0, false));
    List<Map.Entry<String, Held>> all = new ArrayList<>(held.entrySet());
    all.sort(Comparator.comparingInt(e -> e.getValue().age(tick)));
    int fresh = 0;
    for (Map.Entry<String, Held> e : all) {
      Held h = e.getValue();
      boolean urgent = h.urgent > 0;
      if (fresh < w || urgent) {
        out.add(new Entry(e.getKey(), h.entry.sample(), h.age(tick), h.entry.gone()));
        if (fresh < w) {
          fresh++;
        }
        if (urgent) {
          h.urgent--;
        }
      }
    }
    return new Message(self, out);
  }

  /** Every live node held, with its sample's current age. */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>(held.size());
    held.forEach((node, h) -> {
      if (!h.entry.gone()) {
        out.add(new Entry(node, h.entry.sample(), h.age(tick), false));
      }
    });
    out.sort(Comparator.comparingInt(Entry::age).thenComparing(Entry::node));
    return out;
  }

  /** The {@code w} freshest live entries: what migration decisions draw from. */
  public List<Entry> freshest() {
    List<Entry> all = entries();
    return all.size() <= w ? all : all.subList(0, w);
  }

  public int window() {
    return w;
  }
}
