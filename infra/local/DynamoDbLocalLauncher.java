import java.lang.reflect.Field;
import java.lang.reflect.Method;

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
}
