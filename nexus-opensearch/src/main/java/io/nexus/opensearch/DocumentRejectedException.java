package io.nexus.opensearch;

import io.nexus.core.NexusException;

/**
 * OpenSearch refused a document (a mapping conflict, a malformed field). Permanent: the projection's
 * retries end in the dead-letter queue with this exception, OpenSearch's reason kept in the message, and
 * other documents continue. Fix the mapping or the event-to-document mapper, then retry the dead letter.
 */
public class DocumentRejectedException extends NexusException {

    private static final long serialVersionUID = 1L;

    private final String index;
    private final String documentId;

    public DocumentRejectedException(String index, String documentId, String reason) {
        super("OpenSearch rejected document '" + documentId + "' in index '" + index + "': " + reason
                + "; fix the index mapping or the document mapper, then retry the dead letter.");
        this.index = index;
        this.documentId = documentId;
    }

    public String index() {
        return index;
    }

    public String documentId() {
        return documentId;
    }
}
