package io.drift.balancer.grid;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cluster's terms with the other clusters of its grid (MOSIX's owner autonomy): for each
 * partner, its priority (lower first), whether this cluster's jobs may go there, whether this
 * cluster takes its jobs, and how many of its guests at most. A cluster not in the table is no
 * partner: nothing goes there and nothing is taken from it. Immutable; a change at run time is a
 * new table ({@link #with}).
 */
public final class PartnerTable {

  /**
   * @param priority lower first: among partners with room, the lowest number is used first
   * @param send this cluster's jobs may go there
   * @param take this cluster takes its jobs
   * @param maxGuests its guests this cluster holds at most (when it takes them)
   */
  public record Partner(int priority, boolean send, boolean take, int maxGuests) {
    public Partner {
      if (priority < 0) {
        throw new IllegalArgumentException("priority >= 0, got " + priority);
      }
      if (maxGuests < 0) {
        throw new IllegalArgumentException("max-guests >= 0, got " + maxGuests);
      }
    }
  }

  private final String self;
  private final Map<String, Partner> partners;
  private final boolean isolated;

  public PartnerTable(String self, Map<String, Partner> partners) {
    this(self, partners, false);
  }

  /**
   * @param isolated the owner has taken this cluster out of the grid (drift ctl isolate): it
   *     sends nothing and takes nothing, whatever the partners' terms, until it rejoins; the
   *     terms are kept for then
   */
  public PartnerTable(String self, Map<String, Partner> partners, boolean isolated) {
    if (partners.containsKey(self)) {
      throw new IllegalArgumentException("cluster " + self + " cannot be its own partner");
    }
    this.self = self;
    this.partners = Map.copyOf(partners);
    this.isolated = isolated;
  }

  public boolean isolated() {
    return isolated;
  }

  /** This table standing alone ({@code true}) or back in the grid on its terms. */
  public PartnerTable isolated(boolean on) {
    return new PartnerTable(self, partners, on);
  }

  /** No partners: a cluster that works alone. */
  public static PartnerTable alone(String self) {
    return new PartnerTable(self, Map.of());
  }

  /** Every one of {@code others} a partner of priority 1 both ways, without a guest limit. */
  public static PartnerTable sharingWith(String self, List<String> others) {
    Map<String, Partner> p = new LinkedHashMap<>();
    for (String o : others) {
      if (!o.equals(self)) {
        p.put(o, new Partner(1, true, true, Integer.MAX_VALUE));
      }
    }
    return new PartnerTable(self, p);
  }

  /**
   * From {@code path} of {@code config}: an object with a key per partner cluster, each
   * {@code { priority = 1, send = on, take = on, max-guests = 100 }} (send and take default
   * on, max-guests to no limit).
   *
   * @throws ConfigException a bad entry; the message names its key
   */
  public static PartnerTable fromConfig(String self, Config config, String path) {
    Map<String, Partner> p = new LinkedHashMap<>();
    Config table = config.getConfig(path);
    for (Map.Entry<String, ConfigValue> e : table.root().entrySet()) {
      String name = e.getKey();
      String key = path + "." + name;
      Config c;
      try {
        c = table.getConfig(quoted(name));
      } catch (ConfigException.WrongType w) {
        throw new ConfigException.BadValue(key, "a partner is an object such as"
            + " { priority = 1, send = on, take = on, max-guests = 100 }");
      }
      for (String k : c.root().keySet()) {
        if (!List.of("priority", "send", "take", "max-guests").contains(k)) {
          throw new ConfigException.BadValue(key + "." + k, "unknown; a partner has priority,"
              + " send, take and max-guests");
        }
      }
      if (!c.hasPath("priority")) {
        throw new ConfigException.Missing(key + ".priority");
      }
      int priority = c.getInt("priority");
      int maxGuests = c.hasPath("max-guests") ? c.getInt("max-guests") : Integer.MAX_VALUE;
      if (priority < 0 || maxGuests < 0) {
        throw new ConfigException.BadValue(key, "priority and max-guests are >= 0");
      }
      if (name.equals(self)) {
        throw new ConfigException.BadValue(key, "cluster " + self + " is this cluster");
      }
      p.put(name, new Partner(priority, !c.hasPath("send") || c.getBoolean("send"),
          !c.hasPath("take") || c.getBoolean("take"), maxGuests));
    }
    return new PartnerTable(self, p);
  }

  private static String quoted(String key) {
    return "\"" + key.replace("\"", "\\\"") + "\"";
  }

  public String self() {
    return self;
  }

  public Map<String, Partner> partners() {
    return partners;
  }

  /** This table with {@code cluster}'s terms set (a run-time change: drift ctl partner set). */
  public PartnerTable with(String cluster, Partner terms) {
    Map<String, Partner> p = new LinkedHashMap<>(partners);
    p.put(cluster, terms);
    return new PartnerTable(self, p, isolated);
  }

  /** This cluster's jobs may go to {@code cluster}: its own always, a partner's if sent. */
  public boolean maySendTo(String cluster) {
    if (cluster.equals(self)) {
      return true;
    }
    Partner p = partners.get(cluster);
    return !isolated && p != null && p.send();
  }

  /**
   * This cluster takes another guest whose home is in {@code cluster}, holding
   * {@code guestsNow} of its guests already.
   */
  public boolean takesFrom(String cluster, int guestsNow) {
    if (cluster.equals(self)) {
      return true;
    }
    Partner p = partners.get(cluster);
    return !isolated && p != null && p.take() && guestsNow < p.maxGuests();
  }

  /** The most guests of {@code cluster} this cluster holds: 0 unless it takes them. */
  public int maxGuestsOf(String cluster) {
    Partner p = partners.get(cluster);
    return isolated || p == null || !p.take() ? 0 : p.maxGuests();
  }

  /** The priority of {@code cluster}: 0 for this one, a partner's, or none (max value). */
  public int priorityOf(String cluster) {
    if (cluster.equals(self)) {
      return 0;
    }
    Partner p = partners.get(cluster);
    return p == null ? Integer.MAX_VALUE : p.priority();
  }

  /** The partners this cluster's jobs may go to, lowest priority number first. */
  public List<String> sendOrder() {
    List<String> out = new ArrayList<>();
    partners.forEach((name, p) -> {
      if (!isolated && p.send()) {
        out.add(name);
      }
    });
    out.sort(Comparator.comparingInt(this::priorityOf).thenComparing(Comparator.naturalOrder()));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartnerTable t && t.self.equals(self) && t.partners.equals(partners)
        && t.isolated == isolated;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(self, partners, isolated);
  }

  @Override
  public String toString() {
    return "partners of " + self + (isolated ? " (isolated)" : "") + ": " + partners;
  }
}
