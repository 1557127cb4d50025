import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 only (the stock jar binds every interface and has no host flag),
 * on the port given (0 picks a free one), prints "DYNAMODB_LOCAL_PORT=<port>" once it listens, and exits
 * when its standard input closes, so it never outlives the local cloud that started it, whatever way that dies.
 * Run in source-file mode: java -cp DynamoDBLocal.jar DynamoDbLocalLauncher.java <port> <DynamoDB Local args...>
 */
public class DynamoDbLocalLauncher {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String[] rest = new String[args.length - 1];
    System.arraycopy(args, 1, rest, 0, rest.length);

    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Method create = runner.getMethod("createServerFromCommandLineArgs", String[].class);
    Object proxy = create.invoke(null, (Object) rest);

    Field serverField = proxy.getClass().getDeclaredField("server");
    serverField.setAccessible(true);
    Object jetty = serverField.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
      connector.getClass().getMethod("setPort", int.class).invoke(connector, port);
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    int actual = (Integer) connectors[0].getClass().getMethod("getLocalPort").invoke(connectors[0]);
    String tuned = tuneSqlite(proxy);
    System.out.println("DYNAMODB_LOCAL_SQLITE=" + tuned);
    System.out.println("DYNAMODB_LOCAL_PORT=" + actual);
    System.out.flush();

    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) { /* parent still alive */ }
      } catch (Exception ignored) { }
      Runtime.getRuntime().halt(0);
    });
    watchdog.setDaemon(false);
    watchdog.start();
  }

  /**
   * DynamoDB Local keeps its data in one SQLite file behind one connection and commits every write with SQLite's
   * defaults (rollback journal, synchronous=FULL: several fsyncs per write), which made disk waits the bound of the
   * local cloud (measured: 33 % iowait, PutItem 3× faster on tmpfs). Write-ahead logging with synchronous=NORMAL
   * keeps every committed write across process crashes and restarts (the WAL is replayed on open) and only
   * fsyncs at checkpoints; a power cut may lose the last writes, which a development cloud can accept.
   * The connection is created on the first request (one shared database with -sharedDb), so it is asked for here
   * and reached by reflection; any failure leaves the defaults and says so (QUITTANCE_DYNAMODB_SQLITE=defaults
   * keeps them on purpose, to compare).
   */
  static String tuneSqlite(Object proxy) {
    if ("defaults".equals(System.getenv("QUITTANCE_DYNAMODB_SQLITE"))) return "defaults (QUITTANCE_DYNAMODB_SQLITE=defaults)";
    try {
      Object handler = field(proxy, "serverHandler");
      Object requests = findInstance(handler, "software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler");
      if (requests != null) {
        Method get = requests.getClass().getDeclaredMethod("getHandler", String.class);
        get.setAccessible(true);
        get.invoke(requests, "quittance");
      }
      Object access = findInstance(handler, "software.amazon.dynamodb.services.local.shared.access.sqlite.SQLiteDBAccess");
      if (access == null) return "defaults (database access not found)";
      SQLiteQueue queue = (SQLiteQueue) field(access, "queue");
      return queue.execute(new SQLiteJob<String>() {
        @Override
        protected String job(SQLiteConnection c) throws Throwable {
          c.exec("PRAGMA journal_mode=WAL");
          c.exec("PRAGMA synchronous=NORMAL");
          return "wal, synchronous=normal";
        }
      }).complete();
    } catch (Throwable e) {
      return "defaults (" + e + ")";
    }
  }

  static Object field(Object o, String name) throws Exception {
    for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
      } catch (NoSuchFieldException ignored) { }
    }
    throw new NoSuchFieldException(name);
  }

  /** Breadth-first through DynamoDB Local's own objects (and the maps and collections they hold). */
  static Object findInstance(Object root, String className) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Object> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty() && seen.size() < 100_000) {
      Object o = todo.poll();
      if (o == null || !seen.add(o)) continue;
      for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
        if (c.getName().equals(className)) return o;
      }
      if (o instanceof Map<?, ?> m) { todo.addAll(m.values()); continue; }
      if (o instanceof Collection<?> col) { todo.addAll(col); continue; }
      if (!o.getClass().getName().startsWith("software.amazon.dynamodb.")) continue;
      for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
          try {
            f.setAccessible(true);
            todo.add(f.get(o));
          } catch (Throwable ignored) { }
        }
      }
    }
    return null;
  }
}
