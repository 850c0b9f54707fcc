"""The NFCom (modelo 62) cores, without Django: the access key, the XML built with nfelib's
bindings and validated against its XSD, the XMLDSig signature, the A1 certificate, the SEFAZ SOAP
client and the DANFE-COM PDF. The services in ``enlace.fiscal.services`` wrap them."""
