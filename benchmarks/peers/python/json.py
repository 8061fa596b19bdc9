# Are We Fast Yet: Json (the suite's small JSON parser, after minimal-json, reading a fixed
# minified message of the RAP web-UI protocol), Python peer of benchmarks/awfy/json.bs
# (runs on MicroPython and CPython).
# Checksum: the suite's check, 1 when the result is an object whose "head" is an object and whose
# "operations" is an array of 156 values (and no parse error occurred). The input is the same
# document as in json.bs (this project's own, of the suite's shape, about 20 KB).
# The parser reads one one-character string at a time (None at the end of the text), and
# captures names, strings and numbers as slices of the text. It works on the text's bytes (chr()
# of each byte, captures decoded): MicroPython finds the i-th character of a str by walking its
# UTF-8 from the start, which would make the parser quadratic.
import sys
import time

# the input: the RAP message, minified
RAP_BENCHMARK_MINIFIED = (
    '{"head":{"requestCounter":4},"operations":[["destroy","w54"],["destroy","w55"],["destroy","w61"]'
    ',["destroy","w62"],["set","w2",{"activeControl":"w99"}],["set","w21",{"customVariant":"variant_n'
    'avigation"}],["set","w28",{"customVariant":"variant_selected"}],["set","w53",{"children":["w101"'
    ']}],["create","w101","rwt.widgets.Composite",{"parent":"w53","style":["NONE"],"bounds":[0,0,1008'
    ',586],"children":["w102","w103"],"tabIndex":-1,"clientArea":[0,0,1008,586]}],["create","w102","r'
    'wt.widgets.Label",{"parent":"w101","style":["NONE"],"bounds":[10,30,112,26],"tabIndex":-1,"custo'
    'mVariant":"variant_pageHeadline","text":"TableViewer"}],["create","w103","rwt.widgets.Composite"'
    ',{"parent":"w101","style":["NONE"],"bounds":[0,61,1008,525],"tabIndex":-1,"clientArea":[0,0,1008'
    ',525]}],["create","w104","rwt.widgets.Grid",{"parent":"w103","style":["SINGLE","BORDER","FULL_SE'
    'LECTION"],"appearance":"table","indentionWidth":0,"treeColumn":-1,"markupEnabled":false,"bounds"'
    ':[10,10,988,300],"tabIndex":4,"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif"]'
    ',12,false,false],"itemCount":42,"itemHeight":27,"itemMetrics":[[0,0,120,0,0,3,112],[1,120,120,0,'
    '0,3,112],[2,240,120,0,0,3,112],[3,360,120,0,0,3,112],[4,480,120,0,0,3,112],[5,600,120,0,0,3,112]'
    ',[6,720,120,0,0,3,112],[7,840,120,0,0,3,112]],"columnCount":8,"headerHeight":31,"headerVisible":'
    'true,"linesVisible":true,"topItemIndex":0,"scrollLeft":0,"selection":[],"focusItem":null,"scroll'
    'BarsVisible":[false,true],"opacity":0.875,"zoom":1.25e0,"scale":1.2345e+4}],["create","w113","rw'
    't.widgets.ScrollBar",{"parent":"w104","style":["HORIZONTAL"],"visibility":false}],["create","w11'
    '4","rwt.widgets.ScrollBar",{"parent":"w104","style":["VERTICAL"],"visibility":true}],["create","'
    'w105","rwt.widgets.GridColumn",{"parent":"w104","text":"First name","index":0,"left":0,"width":1'
    '20,"alignment":"right","moveable":true,"resizable":true,"font":[["Verdana","Lucida Sans","Arial"'
    ',"Helvetica","sans-serif"],12,false,false]}],["listen","w105",{"Selection":true}],["create","w10'
    '6","rwt.widgets.GridColumn",{"parent":"w104","text":"Last name","index":1,"left":120,"width":120'
    ',"alignment":"left","moveable":false,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","'
    'Helvetica","sans-serif"],12,false,false]}],["listen","w106",{"Selection":true}],["create","w107"'
    ',"rwt.widgets.GridColumn",{"parent":"w104","text":"Street","index":2,"left":240,"width":120,"ali'
    'gnment":"left","moveable":true,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","Helvet'
    'ica","sans-serif"],12,false,false]}],["listen","w107",{"Selection":true}],["create","w108","rwt.'
    'widgets.GridColumn",{"parent":"w104","text":"City","index":3,"left":360,"width":120,"alignment":'
    '"right","moveable":false,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","Helvetica","'
    'sans-serif"],12,false,false]}],["listen","w108",{"Selection":true}],["create","w109","rwt.widget'
    's.GridColumn",{"parent":"w104","text":"Zip code","index":4,"left":480,"width":120,"alignment":"l'
    'eft","moveable":true,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans'
    '-serif"],12,false,false]}],["listen","w109",{"Selection":true}],["create","w110","rwt.widgets.Gr'
    'idColumn",{"parent":"w104","text":"Phone","index":5,"left":600,"width":120,"alignment":"left","m'
    'oveable":false,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif'
    '"],12,false,false]}],["listen","w110",{"Selection":true}],["create","w111","rwt.widgets.GridColu'
    'mn",{"parent":"w104","text":"E-mail","index":6,"left":720,"width":120,"alignment":"right","movea'
    'ble":true,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif"],12'
    ',false,false]}],["listen","w111",{"Selection":true}],["create","w112","rwt.widgets.GridColumn",{'
    '"parent":"w104","text":"Say \\"hello\\"","index":7,"left":840,"width":120,"alignment":"left","mo'
    'veable":false,"resizable":true,"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif"'
    '],12,false,false]}],["listen","w112",{"Selection":true}],["listen","w104",{"Selection":true,"Def'
    'aultSelection":true,"SetData":false}],["create","w115","rwt.widgets.Label",{"parent":"w103","sty'
    'le":["NONE"],"bounds":[10,320,90,22],"tabIndex":-1,"text":"First name:","foreground":[112,201,22'
    '2,255]}],["create","w116","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BORDER"],"bound'
    's":[110,320,380,22],"tabIndex":5,"text":"","message":"Enter first name","textLimit":95,"backgrou'
    'nd":[255,255,255,255]}],["listen","w116",{"Modify":true,"Verify":true}],["set","w116",{"enabled"'
    ':false,"toolTip":"Read only (field 0)"}],["create","w117","rwt.widgets.Label",{"parent":"w103","'
    'style":["NONE"],"bounds":[10,346,90,22],"tabIndex":-1,"text":"Last name:","foreground":[60,229,1'
    '0,255]}],["create","w118","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BORDER"],"bound'
    's":[110,346,380,22],"tabIndex":6,"text":"","message":"Enter last name","textLimit":111,"backgrou'
    'nd":[255,255,255,255]}],["listen","w118",{"Modify":true,"Verify":false}],["create","w119","rwt.w'
    'idgets.Label",{"parent":"w103","style":["NONE"],"bounds":[10,372,90,22],"tabIndex":-1,"text":"St'
    'reet:","foreground":[200,193,246,255]}],["create","w120","rwt.widgets.Text",{"parent":"w103","st'
    'yle":["SINGLE","BORDER"],"bounds":[110,372,380,22],"tabIndex":7,"text":"","message":"Enter stree'
    't","textLimit":103,"background":[255,255,255,255]}],["listen","w120",{"Modify":true,"Verify":fal'
    'se}],["create","w121","rwt.widgets.Label",{"parent":"w103","style":["NONE"],"bounds":[10,398,90,'
    '22],"tabIndex":-1,"text":"City:","foreground":[20,93,162,255]}],["create","w122","rwt.widgets.Te'
    'xt",{"parent":"w103","style":["SINGLE","BORDER"],"bounds":[110,398,380,22],"tabIndex":8,"text":"'
    '","message":"Enter city","textLimit":87,"background":[255,255,255,255]}],["listen","w122",{"Modi'
    'fy":true,"Verify":false}],["set","w122",{"enabled":false,"toolTip":"Read only (field 3)"}],["cre'
    'ate","w123","rwt.widgets.Label",{"parent":"w103","style":["NONE"],"bounds":[10,424,90,22],"tabIn'
    'dex":-1,"text":"Zip code:","foreground":[32,185,14,255]}],["create","w124","rwt.widgets.Text",{"'
    'parent":"w103","style":["SINGLE","BORDER"],"bounds":[110,424,380,22],"tabIndex":9,"text":"","mes'
    'sage":"Enter zip code","textLimit":131,"background":[255,255,255,255]}],["listen","w124",{"Modif'
    'y":true,"Verify":true}],["create","w125","rwt.widgets.Label",{"parent":"w103","style":["NONE"],"'
    'bounds":[10,450,90,22],"tabIndex":-1,"text":"Phone:","foreground":[236,213,58,255]}],["create","'
    'w126","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BORDER"],"bounds":[110,450,380,22],'
    '"tabIndex":10,"text":"","message":"Enter first name","textLimit":119,"background":[255,255,255,2'
    '55]}],["listen","w126",{"Modify":true,"Verify":false}],["create","w127","rwt.widgets.Label",{"pa'
    'rent":"w103","style":["NONE"],"bounds":[10,476,90,22],"tabIndex":-1,"text":"E-mail:","foreground'
    '":[120,177,38,255]}],["create","w128","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BOR'
    'DER"],"bounds":[110,476,380,22],"tabIndex":11,"text":"","message":"Enter last name","textLimit":'
    '151,"background":[255,255,255,255]}],["listen","w128",{"Modify":true,"Verify":false}],["set","w1'
    '28",{"enabled":false,"toolTip":"Read only (field 6)"}],["create","w129","rwt.widgets.Label",{"pa'
    'rent":"w103","style":["NONE"],"bounds":[500,320,90,22],"tabIndex":-1,"text":"Say \\"hello\\":","'
    'foreground":[196,77,210,255]}],["create","w130","rwt.widgets.Text",{"parent":"w103","style":["SI'
    'NGLE","BORDER"],"bounds":[600,320,380,22],"tabIndex":12,"text":"","message":"Enter street","text'
    'Limit":79,"background":[255,255,255,255]}],["listen","w130",{"Modify":true,"Verify":false}],["cr'
    'eate","w131","rwt.widgets.Label",{"parent":"w103","style":["NONE"],"bounds":[500,346,90,22],"tab'
    'Index":-1,"text":"Line one\\nLine two:","foreground":[208,169,62,255]}],["create","w132","rwt.wi'
    'dgets.Text",{"parent":"w103","style":["SINGLE","BORDER"],"bounds":[600,346,380,22],"tabIndex":13'
    ',"text":"","message":"Enter city","textLimit":71,"background":[255,255,255,255]}],["listen","w13'
    '2",{"Modify":true,"Verify":true}],["create","w133","rwt.widgets.Label",{"parent":"w103","style":'
    '["NONE"],"bounds":[500,372,90,22],"tabIndex":-1,"text":"C:\\\\data\\\\people.csv:","foreground":'
    '[156,197,106,255]}],["create","w134","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BORD'
    'ER"],"bounds":[600,372,380,22],"tabIndex":14,"text":"","message":"Enter zip code","textLimit":14'
    '7,"background":[255,255,255,255]}],["listen","w134",{"Modify":true,"Verify":false}],["set","w134'
    '",{"enabled":false,"toolTip":"Read only (field 9)"}],["create","w135","rwt.widgets.Label",{"pare'
    'nt":"w103","style":["NONE"],"bounds":[500,398,90,22],"tabIndex":-1,"text":"http:\\/\\/example.or'
    'g/a:","foreground":[40,161,86,255]}],["create","w136","rwt.widgets.Text",{"parent":"w103","style'
    '":["SINGLE","BORDER"],"bounds":[600,398,380,22],"tabIndex":15,"text":"","message":"Enter first n'
    'ame","textLimit":135,"background":[255,255,255,255]}],["listen","w136",{"Modify":true,"Verify":f'
    'alse}],["create","w137","rwt.widgets.Label",{"parent":"w103","style":["NONE"],"bounds":[500,424,'
    '90,22],"tabIndex":-1,"text":"Tab\\there:","foreground":[116,61,2,255]}],["create","w138","rwt.wi'
    'dgets.Text",{"parent":"w103","style":["SINGLE","BORDER"],"bounds":[600,424,380,22],"tabIndex":16'
    ',"text":"","message":"Enter last name","textLimit":159,"background":[255,255,255,255]}],["listen'
    '","w138",{"Modify":true,"Verify":false}],["create","w139","rwt.widgets.Label",{"parent":"w103","'
    'style":["NONE"],"bounds":[500,450,90,22],"tabIndex":-1,"text":"Cafe \\b\\r\\f:","foreground":[12'
    '8,153,110,255]}],["create","w140","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BORDER"'
    '],"bounds":[600,450,380,22],"tabIndex":17,"text":"","message":"Enter street","textLimit":151,"ba'
    'ckground":[255,255,255,255]}],["listen","w140",{"Modify":true,"Verify":true}],["set","w140",{"en'
    'abled":false,"toolTip":"Read only (field 12)"}],["create","w141","rwt.widgets.Label",{"parent":"'
    'w103","style":["NONE"],"bounds":[500,476,90,22],"tabIndex":-1,"text":"First name:","foreground":'
    '[76,181,154,255]}],["create","w142","rwt.widgets.Text",{"parent":"w103","style":["SINGLE","BORDE'
    'R"],"bounds":[600,476,380,22],"tabIndex":18,"text":"","message":"Enter city","textLimit":95,"bac'
    'kground":[255,255,255,255]}],["listen","w142",{"Modify":true,"Verify":false}],["create","w143","'
    'rwt.widgets.Button",{"parent":"w103","style":["PUSH"],"bounds":[10,500,100,28],"tabIndex":20,"te'
    'xt":"Add","image":["rwt-resources/generated/71d85391.png",16,16],"font":[["Verdana","Lucida Sans'
    '","Arial","Helvetica","sans-serif"],12,false,false]}],["listen","w143",{"Selection":true}],["cre'
    'ate","w144","rwt.widgets.Button",{"parent":"w103","style":["PUSH"],"bounds":[120,500,100,28],"ta'
    'bIndex":21,"text":"Remove","image":["rwt-resources/generated/82869d47.png",16,16],"font":[["Verd'
    'ana","Lucida Sans","Arial","Helvetica","sans-serif"],12,false,false]}],["listen","w144",{"Select'
    'ion":true}],["create","w145","rwt.widgets.Button",{"parent":"w103","style":["PUSH"],"bounds":[23'
    '0,500,100,28],"tabIndex":22,"text":"Edit","image":["rwt-resources/generated/6a24f02d.png",16,16]'
    ',"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif"],12,false,false]}],["listen",'
    '"w145",{"Selection":true}],["create","w146","rwt.widgets.Button",{"parent":"w103","style":["PUSH'
    '"],"bounds":[340,500,100,28],"tabIndex":23,"text":"Up","image":["rwt-resources/generated/4c32d1c'
    '3.png",16,16],"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif"],12,false,false]'
    '}],["listen","w146",{"Selection":true}],["create","w147","rwt.widgets.Button",{"parent":"w103","'
    'style":["PUSH"],"bounds":[450,500,100,28],"tabIndex":24,"text":"Down","image":null,"font":[["Ver'
    'dana","Lucida Sans","Arial","Helvetica","sans-serif"],12,false,false]}],["listen","w147",{"Selec'
    'tion":true}],["create","w148","rwt.widgets.Button",{"parent":"w103","style":["PUSH"],"bounds":[5'
    '60,500,100,28],"tabIndex":25,"text":"Save","image":null,"font":[["Verdana","Lucida Sans","Arial"'
    ',"Helvetica","sans-serif"],14,true,false]}],["listen","w148",{"Selection":true}],["create","w149'
    '","rwt.widgets.Button",{"parent":"w103","style":["PUSH"],"bounds":[670,500,100,28],"tabIndex":26'
    ',"text":"Cancel","image":null,"font":[["Verdana","Lucida Sans","Arial","Helvetica","sans-serif"]'
    ',12,false,false]}],["listen","w149",{"Selection":true}],["create","w150","rwt.widgets.ToolBar",{'
    '"parent":"w101","style":["FLAT","HORIZONTAL"],"bounds":[700,20,300,32],"tabIndex":2,"background"'
    ':[244,244,244,255]}],["create","w151","rwt.widgets.ToolItem",{"parent":"w150","style":["SEPARATO'
    'R"],"bounds":[0,0,32,32],"index":0,"toolTip":"Tool 1","image":["rwt-resources/generated/tool0.gi'
    'f",24,24],"enabled":true}],["create","w152","rwt.widgets.ToolItem",{"parent":"w150","style":["PU'
    'SH"],"bounds":[32,0,32,32],"index":1,"toolTip":"Tool 2","image":["rwt-resources/generated/tool1.'
    'gif",24,24],"enabled":true}],["listen","w152",{"Selection":true}],["create","w153","rwt.widgets.'
    'ToolItem",{"parent":"w150","style":["PUSH"],"bounds":[64,0,32,32],"index":2,"toolTip":"Tool 3","'
    'image":["rwt-resources/generated/tool2.gif",24,24],"enabled":true}],["listen","w153",{"Selection'
    '":true}],["create","w154","rwt.widgets.ToolItem",{"parent":"w150","style":["PUSH"],"bounds":[96,'
    '0,32,32],"index":3,"toolTip":"Tool 4","image":["rwt-resources/generated/tool3.gif",24,24],"enabl'
    'ed":true}],["listen","w154",{"Selection":true}],["create","w155","rwt.widgets.ToolItem",{"parent'
    '":"w150","style":["SEPARATOR"],"bounds":[128,0,32,32],"index":4,"toolTip":"Tool 5","image":["rwt'
    '-resources/generated/tool4.gif",24,24],"enabled":true}],["create","w156","rwt.widgets.ToolItem",'
    '{"parent":"w150","style":["PUSH"],"bounds":[160,0,32,32],"index":5,"toolTip":"Tool 6","image":["'
    'rwt-resources/generated/tool5.gif",24,24],"enabled":true}],["listen","w156",{"Selection":true}],'
    '["create","w157","rwt.widgets.ToolItem",{"parent":"w150","style":["PUSH"],"bounds":[192,0,32,32]'
    ',"index":6,"toolTip":"Tool 7","image":["rwt-resources/generated/tool6.gif",24,24],"enabled":fals'
    'e}],["listen","w157",{"Selection":true}],["create","w158","rwt.widgets.ToolItem",{"parent":"w150'
    '","style":["PUSH"],"bounds":[224,0,32,32],"index":7,"toolTip":"Tool 8","image":["rwt-resources/g'
    'enerated/tool7.gif",24,24],"enabled":true}],["listen","w158",{"Selection":true}],["create","w159'
    '","rwt.widgets.ToolItem",{"parent":"w150","style":["SEPARATOR"],"bounds":[256,0,32,32],"index":8'
    ',"toolTip":"Tool 9","image":["rwt-resources/generated/tool8.gif",24,24],"enabled":true}],["creat'
    'e","w160","rwt.widgets.GridItem",{"parent":"w104","index":0,"texts":["Person 0","First name","85'
    '8 Main St.","Town 3","65710","+1-555-2207","p0@example.org",""],"cellBackgrounds":[null,[252,165'
    ',202,255],null,null,null,null,null,null],"height":27,"checked":true,"grayed":false}],["create","'
    'w161","rwt.widgets.GridItem",{"parent":"w104","index":1,"texts":["Person 1","Last name","781 Mai'
    'n St.","Town 8","17809","+1-555-2214","p1@example.org",""],"cellBackgrounds":[null,[183,212,29,2'
    '55],null,null,null,null,null,null],"height":27,"checked":false,"grayed":false}],["create","w162"'
    ',"rwt.widgets.GridItem",{"parent":"w104","index":2,"texts":["Person 2","Street","788 Main St.","'
    'Town 5","69872","+1-555-5241","p2@example.org",""],"cellBackgrounds":[null,[206,111,172,255],nul'
    'l,null,null,null,null,null],"height":27,"checked":false,"grayed":false}],["create","w163","rwt.w'
    'idgets.GridItem",{"parent":"w104","index":3,"texts":["Person 3","City","383 Main St.","Town 20",'
    '"62331","+1-555-0008","p3@example.org",""],"cellBackgrounds":[null,[113,230,39,255],null,null,nu'
    'll,null,null,null],"height":27,"checked":false,"grayed":false}],["create","w164","rwt.widgets.Gr'
    'idItem",{"parent":"w104","index":4,"texts":["Person 4","Zip code","534 Main St.","Town 1","47010'
    '","+1-555-8835","p4@example.org",""],"cellBackgrounds":[null,[144,105,254,255],null,null,null,nu'
    'll,null,null],"height":27,"checked":false,"grayed":false}],["create","w165","rwt.widgets.GridIte'
    'm",{"parent":"w104","index":5,"texts":["Person 5","Phone","869 Main St.","Town 20","21653","+1-5'
    '55-3274","p5@example.org",""],"cellBackgrounds":[null,[219,232,97,255],null,null,null,null,null,'
    'null],"height":27,"checked":true,"grayed":false}],["create","w166","rwt.widgets.GridItem",{"pare'
    'nt":"w104","index":6,"texts":["Person 6","E-mail","256 Main St.","Town 49","40260","+1-555-0445"'
    ',"p6@example.org",""],"cellBackgrounds":[null,[194,19,64,255],null,null,null,null,null,null],"he'
    'ight":27,"checked":false,"grayed":false}],["create","w167","rwt.widgets.GridItem",{"parent":"w10'
    '4","index":7,"texts":["Person 7","Say \\"hello\\"","455 Main St.","Town 30","23391","+1-555-4556'
    '","p7@example.org",""],"cellBackgrounds":[null,[117,90,75,255],null,null,null,null,null,null],"h'
    'eight":27,"checked":false,"grayed":false}],["create","w168","rwt.widgets.GridItem",{"parent":"w1'
    '04","index":8,"texts":["Person 8","Line one\\nLine two","154 Main St.","Town 41","18006","+1-555'
    '-7943","p8@example.org",""],"cellBackgrounds":[null,[228,237,242,255],null,null,null,null,null,n'
    'ull],"height":27,"checked":false,"grayed":false}],["create","w169","rwt.widgets.GridItem",{"pare'
    'nt":"w104","index":9,"texts":["Person 9","C:\\\\data\\\\people.csv","69 Main St.","Town 16","671'
    '61","+1-555-1022","p9@example.org",""],"cellBackgrounds":[null,[191,188,101,255],null,null,null,'
    'null,null,null],"height":27,"checked":false,"grayed":false}],["create","w170","rwt.widgets.GridI'
    'tem",{"parent":"w104","index":10,"texts":["Person 10","http:\\/\\/example.org/a","232 Main St.",'
    '"Town 25","13144","+1-555-0577","p10@example.org",""],"cellBackgrounds":[null,[118,119,148,255],'
    'null,null,null,null,null,null],"height":27,"checked":true,"grayed":false}],["create","w171","rwt'
    '.widgets.GridItem",{"parent":"w104","index":11,"texts":["Person 11","Tab\\there","51 Main St.","'
    'Town 44","65539","+1-555-4976","p11@example.org",""],"cellBackgrounds":[null,[57,142,47,255],nul'
    'l,null,null,null,null,null],"height":27,"checked":false,"grayed":false}],["call","w104","setFocu'
    's",{}],["call","w104","scrollTo",{"top":0,"left":-0.5,"animate":false,"duration":2.5E-1}],["set"'
    ',"w104",{"selection":["w105"],"focusItem":"w105","topItemIndex":0}],["call","w1","setTitle",{"te'
    'xt":"Demo - TableViewer"}],["set","w1",{"cursor":null,"mode":"maximized","minimumSize":[800,600]'
    ',"activeShell":true}],["set","w150",{"visibility":true,"bounds":[209,238,133,26]}],["set","w138"'
    ',{"visibility":true,"bounds":[694,483,118,23]}],["set","w120",{"visibility":true,"bounds":[671,4'
    '04,123,24]}],["set","w171",{"visibility":true,"bounds":[304,309,20,37]}],["set","w171",{"visibil'
    'ity":true,"bounds":[645,350,153,30]}],["set","w149",{"visibility":true,"bounds":[290,127,10,19]}'
    '],["set","w111",{"visibility":true,"bounds":[147,212,199,20]}],["set","w107",{"visibility":true,'
    '"bounds":[824,5,160,25]}],["set","w129",{"visibility":true,"bounds":[505,446,181,10]}],["set","w'
    '150",{"visibility":true,"bounds":[450,7,14,15]}],["set","w125",{"visibility":true,"bounds":[831,'
    '332,107,48]}],["set","w145",{"visibility":true,"bounds":[780,465,36,13]}],["set","w119",{"visibi'
    'lity":true,"bounds":[549,122,81,30]}],["set","w123",{"visibility":true,"bounds":[222,467,50,35]}'
    '],["set","w125",{"visibility":true,"bounds":[855,8,183,20]}],["set","w104",{"visibility":true,"b'
    'ounds":[396,377,80,25]}],["set","w105",{"visibility":true,"bounds":[781,198,133,18]}],["set","w1'
    '44",{"visibility":true,"bounds":[106,3,62,23]}],["set","w162",{"visibility":true,"bounds":[867,6'
    '4,179,24]}],["set","w166",{"visibility":true,"bounds":[284,81,12,45]}],["set","w148",{"visibilit'
    'y":true,"bounds":[285,110,33,22]}],["set","w155",{"visibility":true,"bounds":[90,299,10,35]}],["'
    'set","w159",{"visibility":true,"bounds":[431,48,207,28]}],["set","w116",{"visibility":true,"boun'
    'ds":[300,497,32,25]}],["set","w116",{"visibility":true,"bounds":[5,374,29,18]}],["set","w127",{"'
    'visibility":true,"bounds":[470,83,70,23]}],["set","w133",{"visibility":true,"bounds":[891,480,51'
    ',48]}],["set","w102",{"visibility":true,"bounds":[524,233,28,37]}],["set","w169",{"visibility":t'
    'rue,"bounds":[293,122,185,22]}],["set","w113",{"visibility":true,"bounds":[702,271,170,11]}],["s'
    'et","w112",{"visibility":true,"bounds":[215,140,183,36]}]]}'
)

# the suite throws on a parse error or a wrong conversion; record it instead
json_error = False


def parse_error():
    global json_error
    json_error = True


class JsonValue:
    def is_object(self):
        return False

    def is_array(self):
        return False

    def is_number(self):
        return False

    def is_string(self):
        return False

    def is_boolean(self):
        return False

    def is_true(self):
        return False

    def is_false(self):
        return False

    def is_null(self):
        return False

    def as_object(self):
        parse_error()  # the suite throws: not an object
        return JsonObject()

    def as_array(self):
        parse_error()  # the suite throws: not an array
        return JsonArray()


class JsonArray(JsonValue):
    def __init__(self):
        self.values = []

    def add(self, value):
        self.values.append(value)
        return self

    def size(self):
        return len(self.values)

    def get(self, index):
        return self.values[index]

    def is_array(self):
        return True

    def as_array(self):
        return self


class HashIndexTable:
    # Maps a name to its index in a JsonObject (index + 1 in a byte, 0 = empty); a miss falls
    # back to a linear search. The hash of a name is its length times 1402589, a portable
    # string hash.
    def __init__(self):
        self.hash_table = [0] * 32

    def add(self, name, index):
        slot = self.hash_slot_for(name)
        if index < 0xff:
            self.hash_table[slot] = (index + 1) & 0xff
        else:
            self.hash_table[slot] = 0

    def get(self, name):
        slot = self.hash_slot_for(name)
        return (self.hash_table[slot] & 0xff) - 1

    def string_hash(self, s):
        return (len(s) * 1402589) & 0xFFFFFFFF

    def hash_slot_for(self, element):
        return self.string_hash(element) & (len(self.hash_table) - 1)


class JsonObject(JsonValue):
    def __init__(self):
        self.names = []
        self.values = []
        self.table = HashIndexTable()

    def add(self, name, value):
        self.table.add(name, len(self.names))
        self.names.append(name)
        self.values.append(value)
        return self

    def get(self, name):
        index = self.index_of(name)
        if index == -1:
            return None
        return self.values[index]

    def size(self):
        return len(self.names)

    def is_empty(self):
        return len(self.names) == 0

    def is_object(self):
        return True

    def as_object(self):
        return self

    def index_of(self, name):
        index = self.table.get(name)
        if index != -1 and name == self.names[index]:
            return index
        i = len(self.names) - 1  # names.lastIndexOf(name)
        while i >= 0:
            if self.names[i] == name:
                return i
            i -= 1
        return -1


class JsonLiteral(JsonValue):
    def __init__(self, value):
        self.value = value
        self.null_value = value == "null"
        self.true_value = value == "true"
        self.false_value = value == "false"

    def is_null(self):
        return self.null_value

    def is_true(self):
        return self.true_value

    def is_false(self):
        return self.false_value

    def is_boolean(self):
        return self.true_value or self.false_value


JSON_NULL = JsonLiteral("null")
JSON_TRUE = JsonLiteral("true")
JSON_FALSE = JsonLiteral("false")


class JsonNumber(JsonValue):
    def __init__(self, text):
        self.text = text

    def is_number(self):
        return True


class JsonString(JsonValue):
    def __init__(self, text):
        self.text = text

    def is_string(self):
        return True


class JsonPureStringParser:
    def __init__(self, text):
        self.input = text.encode()
        self.index = -1
        self.line = 1
        self.capture_start = -1
        self.column = 0
        self.current = None
        self.capture_buffer = ""

    def parse(self):
        self.read()
        self.skip_white_space()
        result = self.read_value()
        self.skip_white_space()
        if not self.is_end_of_text():
            parse_error()  # unexpected character
        return result

    def read_value(self):
        c = self.current
        if c == "n":
            return self.read_null()
        if c == "t":
            return self.read_true()
        if c == "f":
            return self.read_false()
        if c == '"':
            return self.read_string()
        if c == "[":
            return self.read_array()
        if c == "{":
            return self.read_object()
        if c == "-" or self.is_digit():
            return self.read_number()
        parse_error()  # expected a value
        return JSON_NULL

    def read_array(self):
        self.read()
        array = JsonArray()
        self.skip_white_space()
        if self.read_char("]"):
            return array
        while True:
            self.skip_white_space()
            array.add(self.read_value())
            self.skip_white_space()
            if not self.read_char(","):
                break
        if not self.read_char("]"):
            parse_error()  # expected ',' or ']'
        return array

    def read_object(self):
        self.read()
        obj = JsonObject()
        self.skip_white_space()
        if self.read_char("}"):
            return obj
        while True:
            self.skip_white_space()
            name = self.read_name()
            self.skip_white_space()
            if not self.read_char(":"):
                parse_error()  # expected ':'
            self.skip_white_space()
            obj.add(name, self.read_value())
            self.skip_white_space()
            if not self.read_char(","):
                break
        if not self.read_char("}"):
            parse_error()  # expected ',' or '}'
        return obj

    def read_name(self):
        if self.current != '"':
            parse_error()  # expected a name
        return self.read_string_internal()

    def read_null(self):
        self.read()
        self.read_required_char("u")
        self.read_required_char("l")
        self.read_required_char("l")
        return JSON_NULL

    def read_true(self):
        self.read()
        self.read_required_char("r")
        self.read_required_char("u")
        self.read_required_char("e")
        return JSON_TRUE

    def read_false(self):
        self.read()
        self.read_required_char("a")
        self.read_required_char("l")
        self.read_required_char("s")
        self.read_required_char("e")
        return JSON_FALSE

    def read_required_char(self, ch):
        if not self.read_char(ch):
            parse_error()  # expected ch

    def read_string(self):
        return JsonString(self.read_string_internal())

    def read_string_internal(self):
        self.read()
        self.start_capture()
        while self.current != '"':
            if self.current == "\\":
                self.pause_capture()
                self.read_escape()
                self.start_capture()
            else:
                if self.is_end_of_text():  # unterminated string
                    parse_error()
                    break
                self.read()
        s = self.end_capture()
        self.read()
        return s

    def read_escape(self):
        self.read()
        c = self.current
        if c == '"' or c == "/" or c == "\\":
            self.capture_buffer += c
        elif c == "b":
            self.capture_buffer += "\b"
        elif c == "f":
            self.capture_buffer += "\f"
        elif c == "n":
            self.capture_buffer += "\n"
        elif c == "r":
            self.capture_buffer += "\r"
        elif c == "t":
            self.capture_buffer += "\t"
        else:
            parse_error()  # expected a valid escape sequence
        self.read()

    def read_number(self):
        self.start_capture()
        self.read_char("-")
        first_digit = self.current
        if not self.read_digit():
            parse_error()  # expected a digit
        if first_digit != "0":
            while self.read_digit():
                pass
        self.read_fraction()
        self.read_exponent()
        return JsonNumber(self.end_capture())

    def read_fraction(self):
        if not self.read_char("."):
            return False
        if not self.read_digit():
            parse_error()  # expected a digit
        while self.read_digit():
            pass
        return True

    def read_exponent(self):
        if not self.read_char("e") and not self.read_char("E"):
            return False
        if not self.read_char("+"):
            self.read_char("-")
        if not self.read_digit():
            parse_error()  # expected a digit
        while self.read_digit():
            pass
        return True

    def read_char(self, ch):
        if self.current != ch:
            return False
        self.read()
        return True

    def read_digit(self):
        if not self.is_digit():
            return False
        self.read()
        return True

    def skip_white_space(self):
        while self.is_white_space():
            self.read()

    def read(self):
        if self.current == "\n":
            self.line += 1
            self.column = 0
        self.index += 1
        if self.index < len(self.input):
            self.current = chr(self.input[self.index])
        else:
            self.current = None

    def start_capture(self):
        self.capture_start = self.index

    def pause_capture(self):
        end = self.index if self.current is None else self.index - 1
        self.capture_buffer += self.input[self.capture_start:end + 1].decode()
        self.capture_start = -1

    def end_capture(self):
        end = self.index if self.current is None else self.index - 1
        if self.capture_buffer == "":
            captured = self.input[self.capture_start:end + 1].decode()
        else:
            self.capture_buffer += self.input[self.capture_start:end + 1].decode()
            captured = self.capture_buffer
            self.capture_buffer = ""
        self.capture_start = -1
        return captured

    def is_white_space(self):
        c = self.current
        return c == " " or c == "\t" or c == "\n" or c == "\r"

    def is_digit(self):
        c = self.current
        return (c == "0" or c == "1" or c == "2" or c == "3" or c == "4" or c == "5" or c == "6"
                or c == "7" or c == "8" or c == "9")

    def is_end_of_text(self):
        return self.current is None


def check_result(result):
    if not result.is_object():
        return False
    head = result.as_object().get("head")
    if head is None:
        return False  # the suite's get returns null here, and null.isObject() throws
    if not head.is_object():
        return False
    operations = result.as_object().get("operations")
    if operations is None:
        return False
    if not operations.is_array():
        return False
    return operations.as_array().size() == 156


def benchmark():
    global json_error
    json_error = False
    result = JsonPureStringParser(RAP_BENCHMARK_MINIFIED).parse()
    return 1 if check_result(result) and not json_error else 0


def verify_result(result):
    return result == 1


iterations = 3


def main():
    expected = 1
    if hasattr(time, "ticks_us"):
        start = time.ticks_us()
    else:
        start = time.perf_counter()
    for _ in range(iterations):
        result = benchmark()
        if not verify_result(result):
            print("Json: WRONG got %d expected %d" % (result, expected))
            sys.exit(1)
    if hasattr(time, "ticks_us"):
        elapsed = time.ticks_diff(time.ticks_us(), start)
    else:
        elapsed = int((time.perf_counter() - start) * 1000000)
    print("Json: ok %d" % elapsed)


main()
