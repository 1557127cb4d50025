import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Validates XML files against an XSD with the JDK's own validator (no dependency; Java is already required by
 * DynamoDB Local). Usage: java XsdValidate.java SCHEMA.xsd FILE.xml... Prints one line per file:
 * "OK\tFILE" or "INVALID\tFILE\tline:column message" (first error), and exits 0.
 */
public class XsdValidate {
  public static void main(String[] args) throws Exception {
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file");
    Schema schema = factory.newSchema(new File(args[0]));
    for (int i = 1; i < args.length; i++) {
      Validator validator = schema.newValidator();
      List<String> errors = new ArrayList<>();
      validator.setErrorHandler(new ErrorHandler() {
        public void warning(SAXParseException e) {}
        public void error(SAXParseException e) { errors.add(e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage()); }
        public void fatalError(SAXParseException e) throws SAXException { error(e); throw e; }
      });
      try {
        validator.validate(new StreamSource(new File(args[i])));
      } catch (SAXException e) {
        if (errors.isEmpty()) errors.add(e.getMessage());
      }
      System.out.println(errors.isEmpty() ? "OK\t" + args[i] : "INVALID\t" + args[i] + "\t" + errors.get(0).replace('\n', ' '));
    }
  }
}
